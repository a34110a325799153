import { strict as assert } from 'node:assert';
import { cliFixText } from '../../../src/cli/fixText';
import { formatDecision } from '../../../src/cli/render';

describe('cli fixText: the typed fixes in `switchyard plan`', () => {
  it('a local cause is said once, by the exclusion itself; a missing key still names its variable', () => {
    const out = formatDecision(
      {
        task: 'code',
        taskReason: 'given',
        mode: 'auto',
        candidates: [],
        excluded: [
          { ref: 'ollama/a:7b', why: 'not installed on ollama (ollama pull a:7b)', fix: { action: 'pull_model', provider: 'ollama', model: 'a:7b' } },
          { ref: 'ollama/b', why: 'ollama: not available (Ollama is not installed. Install it from https://ollama.com/download.)', fix: { action: 'install_ollama', url: 'https://ollama.com/download' } },
          { ref: 'groq/m', why: 'groq: no API key for https://api.groq.com', fix: { action: 'set_key', provider: 'groq' } },
        ],
      },
      (f) => cliFixText(f, { groq: { vendor: 'groq' } }),
    );
    const lines = out.split('\n');
    assert.ok(lines.includes('  - ollama/a:7b: not installed on ollama (ollama pull a:7b)'), out);
    assert.equal(out.match(/ollama\.com\/download/g)?.length, 1, out);
    assert.match(out, /groq\/m: groq: no API key for https:\/\/api\.groq\.com \(Set GROQ_API_KEY/);
  });
});
