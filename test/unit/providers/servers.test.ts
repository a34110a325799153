/**
 * The doubles themselves, through the real SDKs and raw HTTP: the endpoints other modules rely
 * on (the sidecar uses pull/ps/show/tags/version/delete) behave as the wire reference says.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { Ollama } from 'ollama';
import { startOllamaServer } from '../../servers/ollama';
import { startNpuServer } from '../../servers/npu';
import { cutIntoChunks, splitTokens } from '../../servers/http';

describe('test servers', () => {
  describe('ollama double', () => {
    it('pull streams the documented progress objects (ollama-js sends `name`) and installs the model', async () => {
      const server = await startOllamaServer({ models: [] });
      try {
        const client = new Ollama({ host: server.url });
        const statuses: string[] = [];
        for await (const p of await client.pull({ model: 'llama3.2', stream: true })) statuses.push(p.status);
        assert.equal(server.requests[0]!.body.name, 'llama3.2');
        assert.equal(statuses[0], 'pulling manifest');
        assert.match(statuses[1]!, /^pulling [0-9a-f]{12}$/);
        assert.deepEqual(statuses.slice(-4), ['verifying sha256 digest', 'writing manifest', 'removing unused layers', 'success']);
        assert.deepEqual((await client.list()).models.map((m) => m.name), ['llama3.2:latest']);
      } finally {
        await server.close();
      }
    });

    it('a failed pull ends with an error line; a cancelled pull installs nothing', async () => {
      const server = await startOllamaServer({ models: [], pull: { registry: ['qwen2.5:7b'], chunking: { delayMs: 30 } } });
      try {
        const client = new Ollama({ host: server.url });
        await assert.rejects(
          (async () => {
            for await (const _ of await client.pull({ model: 'no-such-model', stream: true })) void _;
          })(),
          /pull model manifest: file does not exist/,
        );
        const it = await client.pull({ model: 'qwen2.5:7b', stream: true });
        await assert.rejects(
          (async () => {
            for await (const p of it) if (p.status.startsWith('pulling ') && p.status !== 'pulling manifest') it.abort();
          })(),
        );
        const rec = await server.settled(1);
        assert.equal(rec.aborted, true);
        assert.deepEqual(server.models, []);
      } finally {
        await server.close();
      }
    });

    it('load and unload with empty messages, keep_alive shows in /api/ps, delete removes', async () => {
      const server = await startOllamaServer({ models: [{ name: 'qwen2.5-coder:7b', contextLength: 32768 }] });
      try {
        const client = new Ollama({ host: server.url });
        const load = await client.chat({ model: 'qwen2.5-coder:7b', messages: [], keep_alive: '10m' });
        assert.equal(load.done_reason, 'load');
        const ps = await client.ps();
        assert.deepEqual(ps.models.map((m) => m.name), ['qwen2.5-coder:7b']);
        assert.ok(new Date(ps.models[0]!.expires_at).getTime() > Date.now() + 9 * 60_000);
        const unload = await client.chat({ model: 'qwen2.5-coder:7b', messages: [], keep_alive: 0 });
        assert.equal(unload.done_reason, 'unload');
        assert.deepEqual((await client.ps()).models, []);
        await client.delete({ model: 'qwen2.5-coder:7b' });
        assert.deepEqual((await client.list()).models, []);
        await assert.rejects(client.show({ model: 'qwen2.5-coder:7b' }), (e: any) => e.status_code === 404 && /not found/.test(e.error));
      } finally {
        await server.close();
      }
    });

    it('answers suffix without the insert capability with 400 "does not support insert", and version as configured', async () => {
      const server = await startOllamaServer({ models: ['llama3.2'], version: '0.12.3' });
      try {
        const client = new Ollama({ host: server.url });
        assert.deepEqual(await client.version(), { version: '0.12.3' });
        await assert.rejects(client.generate({ model: 'llama3.2', prompt: 'a', suffix: 'b' }), (e: any) => e.status_code === 400 && /does not support insert/.test(e.error));
        const emb = await client.embed({ model: 'llama3.2', input: ['a', 'b'] });
        assert.equal(emb.embeddings.length, 2);
        assert.notDeepEqual(emb.embeddings[0], emb.embeddings[1]);
      } finally {
        await server.close();
      }
    });

    it('runs standalone and prints its URL', async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/servers/ollama.ts', '--port', '0', '--models', 'llama3.2'], { stdio: ['ignore', 'pipe', 'inherit'] });
      try {
        const url = await new Promise<string>((resolve, reject) => {
          child.stdout.on('data', (d: Buffer) => resolve(d.toString().trim()));
          child.on('exit', (code) => reject(new Error(`exited ${code}`)));
        });
        assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
        const tags = (await (await fetch(`${url}/api/tags`)).json()) as { models: { name: string }[] };
        assert.deepEqual(tags.models.map((m) => m.name), ['llama3.2:latest']);
      } finally {
        child.kill();
      }
    }).timeout(20_000);
  });

  describe('npu double', () => {
    it('requires its token and answers the infer shape', async () => {
      const server = await startNpuServer({ token: 't0k3n' });
      try {
        const denied = await fetch(`${server.url}/api/npu/infer`, { method: 'POST', body: JSON.stringify({ prompt: 'x' }) });
        assert.equal(denied.status, 401);
        const ok = await fetch(`${server.url}/api/npu/infer`, { method: 'POST', headers: { authorization: 'Bearer t0k3n' }, body: JSON.stringify({ prompt: 'x', max_tokens: 5 }) });
        assert.deepEqual(await ok.json(), { success: true, result: 'Hello from the NPU.', model: 'Qwen2-7B-NPU' });
      } finally {
        await server.close();
      }
    });
  });

  describe('framing helpers', () => {
    it('cuts at every requested byte, including inside UTF-8 characters', () => {
      const chunks = cutIntoChunks(['data: 你好\n\n'], { chunkBytes: 1 });
      assert.equal(chunks.length, Buffer.byteLength('data: 你好\n\n'));
      assert.equal(Buffer.concat(chunks).toString('utf8'), 'data: 你好\n\n');
      assert.deepEqual(cutIntoChunks(['abc', 'def'], { splitAt: [4, 1] }).map(String), ['a', 'bcd', 'ef']);
    });

    it('paces frames by the wall clock: every token arrives in order, several per write', async () => {
      const tokens = Array.from({ length: 300 }, (_, i) => ` t${i}`);
      const server = await startOllamaServer({ models: ['qwen2.5:7b'], reply: { text: tokens, chunking: { framesPerSecond: 3000 } } });
      try {
        const stream = await new Ollama({ host: server.url }).chat({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: 'go' }], stream: true });
        let text = '';
        for await (const part of stream) text += part.message.content;
        assert.equal(text, tokens.join(''));
        // 300 tokens at 3,000/s take ~100 ms: about 20 writes of a 200 Hz writer, never one per token.
        const writes = server.requests.at(-1)!.chunksWritten;
        assert.ok(writes > 1 && writes < tokens.length / 2, `${writes} writes`);
      } finally {
        await server.close();
      }
    });

    it('tokenizes CJK per character and words with their leading space', () => {
      assert.deepEqual(splitTokens('你好 hello world'), ['你', '好', ' hello', ' world']);
    });
  });
});
