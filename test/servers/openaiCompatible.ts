/**
 * The OpenAI-compatible double is moved to src/demo/servers/openaiCompatible.ts so the product's demo mode can serve the same
 * wire protocol without importing test files; tests keep importing it from here.
 */
import { argFromArgv, portFromArgv } from '../../src/demo/servers/http';
import { startOpenAICompatibleServer, type VendorName } from '../../src/demo/servers/openaiCompatible';

export * from '../../src/demo/servers/openaiCompatible';

if (require.main === module) {
  const vendor = (argFromArgv('vendor') ?? 'openai') as VendorName;
  const key = argFromArgv('key');
  const models = argFromArgv('models')?.split(',');
  void startOpenAICompatibleServer({ vendor, apiKey: key === 'none' ? null : key, models, port: portFromArgv(), reply: argFromArgv('text') ? { text: argFromArgv('text') } : undefined }).then((s) => {
    console.log(s.baseUrl);
  });
}
