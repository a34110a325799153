/**
 * The completion engine over the real stack — createSwitchyard() (router + OpenAI-compatible
 * provider) — against the OpenAI-compatible double playing a local server that has no working
 * `suffix` (LM Studio, llama.cpp, vLLM): the raw FIM template reaches the wire, control tokens
 * never reach the ghost text, and a model that cannot fill in the middle is logged with why.
 */
import { strict as assert } from 'node:assert';
import { CompletionEngine, type CompletionSettings } from '../../../src/core/completion/completionEngine';
import { completionConfigSchema, parseConfig } from '../../../src/core/config';
import { createSwitchyard } from '../../../src/core/switchyard';
import { startOpenAICompatibleServer, type OpenAICompatibleServer, type SuffixSupport } from '../../servers/openaiCompatible';
import { cursor as cursorAt, live, recordingLogger, type LogLine } from './helpers';

const SETTINGS: CompletionSettings = { ...completionConfigSchema.parse({}), minDelayMs: 0, maxDelayMs: 0, contextTokens: 0 };

const cursor = (docWithBar: string) => cursorAt(docWithBar, 'file:///w/a.py', 'python');

describe('completion engine over createSwitchyard and a local OpenAI-compatible server without `suffix`', () => {
  let server: OpenAICompatibleServer;
  let engine: CompletionEngine;
  let dispose: () => void;
  let logs: LogLine[];

  async function setup(model: string, suffix: SuffixSupport) {
    server = await startOpenAICompatibleServer({ vendor: 'custom', apiKey: null, models: [model], suffix });
    // No Ollama in these tests: the shipped provider is turned off so that nothing waits on it.
    const { config, problems } = parseConfig({ providers: { ollama: { kind: 'ollama', enabled: false }, lmstudio: { kind: 'openai-compatible', vendor: 'custom', baseUrl: server.baseUrl } } });
    assert.deepEqual(problems, []);
    const switchyard = createSwitchyard({ config, keys: { getKey: async () => undefined } });
    dispose = () => switchyard.dispose();
    const logger = recordingLogger();
    logs = logger.lines;
    engine = new CompletionEngine({
      stream: (req) => switchyard.stream(req),
      listModels: (signal) => switchyard.listModels(signal),
      settings: () => ({ ...SETTINGS, model: `lmstudio/${model}` }),
      logger,
      workspaceId: 'test',
    });
  }

  afterEach(async () => {
    dispose?.();
    await server?.close();
  });

  const completions = () => server.requests.filter((r) => r.path === '/v1/completions');

  it('sends the Qwen2.5-Coder template with its stop tokens, and shows ghost text without the tokens the server echoed', async () => {
    await setup('qwen2.5-coder-1.5b-instruct', 'ignored');
    server.enqueue({ text: ['<|fim_middle|>', 'a', ' +', ' b', '<|endoftext|>', '<|fim_pad|>'] });
    const out = await engine.complete(cursor('def add(a, b):\n    return |\n\nprint(add(1, 2))\n'), live());
    assert.deepEqual(out.kind === 'suggestion' && [out.text, out.source, out.model], ['a + b', 'model', 'lmstudio/qwen2.5-coder-1.5b-instruct']);
    const [rec] = completions();
    assert.equal(rec!.body.prompt, '<|fim_prefix|>def add(a, b):\n    return <|fim_suffix|>\n\nprint(add(1, 2))\n<|fim_middle|>');
    assert.equal('suffix' in rec!.body, false);
    assert.ok(rec!.body.stop.includes('<|endoftext|>') && rec!.body.stop.includes('<|fim_middle|>'));
  });

  it('logs why a model of unknown family gets no suggestion, and sends nothing', async () => {
    await setup('mistral-7b-instruct', 'rejected');
    const out = await engine.complete(cursor('x = |'), live());
    assert.equal(out.kind, 'none');
    assert.match(out.kind === 'none' ? out.detail : '', /no known fill-in-the-middle template.*switchyard\.providers\.lmstudio\.fim/s);
    const logged = logs.find((l) => l.event === 'completion.none');
    assert.equal(logged?.fields?.detail, out.kind === 'none' ? out.detail : undefined);
    assert.equal(completions().length, 0);
  });
});
