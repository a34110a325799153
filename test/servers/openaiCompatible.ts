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
  const num = (name: string) => (argFromArgv(name) === undefined ? undefined : Number(argFromArgv(name)));
  // --rpm / --tpm / --rpd / --tpd: a scripted quota (the vendor's 429 once a window is full).
  const quota = { requestsPerMinute: num('rpm'), tokensPerMinute: num('tpm'), requestsPerDay: num('rpd'), tokensPerDay: num('tpd') };
  const scripted = Object.values(quota).some((v) => v !== undefined);
  void startOpenAICompatibleServer({
    vendor,
    apiKey: key === 'none' ? null : key,
    models,
    port: portFromArgv(),
    reply: argFromArgv('text') ? { text: argFromArgv('text') } : undefined,
    quota: scripted ? quota : undefined,
  }).then((s) => {
    console.log(s.baseUrl);
  });
}
