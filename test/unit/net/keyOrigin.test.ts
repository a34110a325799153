/**
 * Key-to-origin binding has one rule (src/core/net/keyOrigin.ts), used by the VS Code key store,
 * the CLI's environment keys, the demo's key, the providers' fetch guard and the router. These are
 * the cases where the two rules that existed before (src/vscode/keys/keyStore.ts refused non-http(s)
 * schemes, the core's took any URL's `origin`) disagreed, or where neither normalised.
 */
import { strict as assert } from 'node:assert';
import { createEnvKeyStore } from '../../../src/cli/envKeys';
import { DEMO_CLOUD_KEY, DEMO_CLOUD_PROVIDER } from '../../../src/core/demo';
import { demoKeyStore } from '../../../src/core/demoKeys';
import { originBoundFetch, originOf } from '../../../src/core/net/keyOrigin';

describe('originOf: the one key-origin rule', () => {
  it('keeps scheme, lower-cased host and an explicit non-default port; drops path, query, fragment and user info', () => {
    assert.equal(originOf('https://API.Groq.com/openai/v1?x=1#y'), 'https://api.groq.com');
    assert.equal(originOf('http://127.0.0.1:11434/api'), 'http://127.0.0.1:11434');
    assert.equal(originOf('https://user:secret@api.example.com:8443/v1'), 'https://api.example.com:8443');
    assert.equal(originOf('http://[::1]:8000/v1'), 'http://[::1]:8000');
  });

  it('drops the default port of the scheme, so one endpoint never has two origins', () => {
    assert.equal(originOf('https://api.groq.com:443/openai/v1'), 'https://api.groq.com');
    assert.equal(originOf('http://lan-box:80/v1'), 'http://lan-box');
    // 80 is not https's default: it stays.
    assert.equal(originOf('https://lan-box:80/v1'), 'https://lan-box:80');
  });

  it('writes an IDN host in punycode, whichever way the URL spelt it', () => {
    assert.equal(originOf('https://bücher.example/v1'), 'https://xn--bcher-kva.example');
    assert.equal(originOf('https://XN--BCHER-KVA.example/v1'), 'https://xn--bcher-kva.example');
  });

  it('drops a trailing dot: "api.groq.com." is the same DNS name and binds the same key', () => {
    assert.equal(originOf('https://api.groq.com./openai/v1'), 'https://api.groq.com');
    assert.equal(originOf('https://API.groq.com.:443'), 'https://api.groq.com');
    assert.equal(originOf('http://localhost.:1234/v1'), 'http://localhost:1234');
  });

  it('refuses other schemes (their URL origin is the opaque "null" they would all share) with a readable error', () => {
    for (const url of ['ftp://files.example.com/v1', 'file:///etc/passwd', 'custom://a', 'javascript:alert(1)']) {
      assert.throws(() => originOf(url), /is not an http\(s\) endpoint URL: write it like "https:\/\/api\.example\.com\/v1"/, url);
    }
    assert.throws(() => originOf('api.groq.com/v1'), /is not a valid endpoint URL/);
    assert.throws(() => originOf('https://a..'), /no valid host name|not a valid endpoint URL/);
  });

  it('is idempotent: an origin is its own origin, so stored origins compare equal to computed ones', () => {
    for (const url of ['https://API.groq.com.:443/v1', 'http://[::1]:8000', 'https://bücher.example']) {
      const origin = originOf(url);
      assert.equal(originOf(origin), origin);
    }
  });
});

describe('every key store and the fetch guard bind by originOf', () => {
  it('the CLI environment key store gives the key for a base URL spelt with case, default port and trailing dot', async () => {
    const baseUrl = 'https://API.Example.com.:443/v1';
    const keys = createEnvKeyStore({ SWITCHYARD_KEY_EXAMPLE: 'sk-test' }, { example: { vendor: 'custom' } }, () => originOf(baseUrl));
    assert.equal(await keys.getKey('example', originOf('https://api.example.com/v1')), 'sk-test');
  });

  it('the demo key store binds its key to the same origin the provider computes', async () => {
    const keys = demoKeyStore({ localUrl: 'http://127.0.0.1:1', cloudBaseUrl: 'http://LOCALHOST.:4567/v1' });
    assert.equal(await keys.getKey(DEMO_CLOUD_PROVIDER, originOf('http://localhost:4567/v1')), DEMO_CLOUD_KEY);
  });

  it('the fetch guard lets a request to the same origin through (trailing dot, default port) and refuses others without calling fetch', async () => {
    const called: string[] = [];
    const guarded = originBoundFetch(async (input) => {
      called.push(String(input));
      return new Response('ok');
    }, originOf('https://api.groq.com/openai/v1'));
    await guarded('https://api.groq.com.:443/openai/v1/chat/completions');
    await assert.rejects(guarded('https://api.groq.com.evil.example/v1'), /refused to send a request for https:\/\/api\.groq\.com to https:\/\/api\.groq\.com\.evil\.example/);
    await assert.rejects(guarded('ftp://api.groq.com/v1'), /refused to send a request/);
    assert.deepEqual(called, ['https://api.groq.com.:443/openai/v1/chat/completions']);
  });
});
