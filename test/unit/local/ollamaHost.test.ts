import * as assert from 'node:assert/strict';
import { parseOllamaHost, resolveOllamaHost } from '../../../src/core/local/ollamaHost';

describe('parseOllamaHost (OLLAMA_HOST forms, as envconfig.Host parses them)', () => {
  const cases: [string | undefined, string, boolean][] = [
    [undefined, 'http://127.0.0.1:11434', true],
    ['', 'http://127.0.0.1:11434', true],
    ['0.0.0.0', 'http://127.0.0.1:11434', true],
    ['0.0.0.0:12345', 'http://127.0.0.1:12345', true],
    ['localhost:8080', 'http://localhost:8080', true],
    ['  "127.0.0.1:7777"  ', 'http://127.0.0.1:7777', true],
    ['gpu-box', 'http://gpu-box:11434', false],
    ['gpu-box:1234', 'http://gpu-box:1234', false],
    ['http://gpu-box', 'http://gpu-box:80', false],
    ['https://ollama.example.com', 'https://ollama.example.com:443', false],
    ['https://ollama.example.com:8443/ollama/', 'https://ollama.example.com:8443/ollama', false],
    ['[::1]:11435', 'http://[::1]:11435', true],
    ['::1', 'http://[::1]:11434', true],
    [':11500', 'http://127.0.0.1:11500', true],
    ['127.0.0.1:99999', 'http://127.0.0.1:11434', true],
  ];
  for (const [raw, url, loopback] of cases) {
    it(`${JSON.stringify(raw)} → ${url}`, () => {
      const h = parseOllamaHost(raw);
      assert.equal(h.baseUrl, url);
      assert.equal(h.isLoopback, loopback);
    });
  }

  it('a server we start binds loopback even when the user asked for every interface', () => {
    assert.equal(parseOllamaHost('0.0.0.0:11500').serveAddress, '127.0.0.1:11500');
  });

  it('the configured host wins over OLLAMA_HOST', () => {
    assert.equal(resolveOllamaHost('127.0.0.1:2000', { OLLAMA_HOST: '127.0.0.1:3000' }).port, 2000);
    assert.equal(resolveOllamaHost(undefined, { OLLAMA_HOST: '127.0.0.1:3000' }).port, 3000);
    assert.equal(resolveOllamaHost('  ', {}).port, 11434);
  });
});
