/**
 * What the VSIX ships (.vscodeignore, allow-list style): server-only code stays out of the
 * extension package, the Local API Server's bundle (Fastify and its copy of the core) included;
 * the extension's own bundles are in. Read from `vsce ls`, the list vsce packages.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '../../..');

describe('VSIX contents', function () {
  this.timeout(60_000);
  it('ships the extension bundles and leaves the gateway process, the CLI and sources out', () => {
    const files = execFileSync(path.join(REPO, 'node_modules/.bin/vsce'), ['ls', '--no-dependencies'], { cwd: REPO, encoding: 'utf8' }).split('\n').filter(Boolean);
    for (const shipped of ['dist/extension.js', 'dist/core.js', 'dist/webview.js', 'package.json']) assert.ok(files.includes(shipped), `${shipped} is shipped`);
    const serverOnly = files.filter((f) => f === 'dist/gateway.js' || f === 'dist/cli.js' || f.startsWith('src/') || f.startsWith('node_modules/') || f.endsWith('.map'));
    assert.deepEqual(serverOnly, []);
  });
});
