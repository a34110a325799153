/**
 * The Ollama double is moved to src/demo/servers/ollama.ts so the product's demo mode can serve the same
 * wire protocol without importing test files; tests keep importing it from here.
 */
import { argFromArgv, portFromArgv } from '../../src/demo/servers/http';
import { startOllamaServer } from '../../src/demo/servers/ollama';

export * from '../../src/demo/servers/ollama';

if (require.main === module) {
  const models = argFromArgv('models')?.split(',');
  const text = argFromArgv('text');
  void startOllamaServer({ port: portFromArgv(), models, version: argFromArgv('version'), reply: text ? { text } : undefined }).then((s) => {
    console.log(s.url);
  });
}
