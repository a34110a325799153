/**
 * curl in a shell test (curl.sh): the commands the README shows, against a running gateway.
 * Skipped where curl is not installed.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { type Harness, startHarness } from './harness';

function hasCurl(): boolean {
  try {
    execFileSync('curl', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('gateway: curl in a shell', function () {
  this.timeout(30_000);
  let h: Harness;
  before(function () {
    if (!hasCurl()) this.skip();
  });
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h?.close();
  });

  it('chat, an SSE stream ending [DONE], and the refusals, with the printed token file', async () => {
    const run = await new Promise<{ code: number; out: string; err: string }>((resolve) => {
      execFile('bash', [path.join(__dirname, 'curl.sh')], { env: { ...process.env, BASE: h.url, TOKEN_FILE: h.tokenFile } }, (err, out, errOut) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out, err: errOut }),
      );
    });
    assert.equal(run.code, 0, run.err + run.out);
    assert.match(run.out, /curl: ok/);
  });
});
