/**
 * dist/demo.js: the demo servers, a bundle of their own so the extension loads them only when
 * the user tries the demo (`require` on first use), never on activation.
 *
 * Run directly (`node dist/demo.js`, as `npm start` does when nothing real is available) it starts
 * both servers, prints one `NAME=value` line per endpoint and then `ready`, and keeps serving
 * until it is stopped.
 */
import { DEMO_CLOUD_URL_ENV, DEMO_LOCAL_URL_ENV } from '../core/demo';
import { startDemoServers } from './demoServers';

export { startDemoServers, type DemoServers } from './demoServers';

if (require.main === module) {
  void startDemoServers().then(
    (servers) => {
      console.log(`${DEMO_LOCAL_URL_ENV}=${servers.localUrl}`);
      console.log(`${DEMO_CLOUD_URL_ENV}=${servers.cloudBaseUrl}`);
      console.log('ready');
      const stop = () => void servers.close().then(() => process.exit(0));
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    },
    (err: Error) => {
      console.error(`demo servers failed to start: ${err.message}`);
      process.exit(1);
    },
  );
}
