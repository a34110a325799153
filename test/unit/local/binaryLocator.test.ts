import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { currentEnvironment, locateOllamaBinary, type LocatorEnvironment } from '../../../src/core/local/binaryLocator';

function env(platform: NodeJS.Platform, vars: NodeJS.ProcessEnv, existing: string[], homedir = '/home/u'): LocatorEnvironment {
  const set = new Set(existing);
  return { platform, env: vars, homedir, isExecutable: (f) => set.has(f) };
}

describe('locateOllamaBinary', () => {
  it('prefers PATH over the install locations (Linux)', () => {
    const e = env('linux', { PATH: '/opt/x/bin:/usr/bin' }, ['/opt/x/bin/ollama', '/usr/local/bin/ollama']);
    assert.equal(locateOllamaBinary(e), '/opt/x/bin/ollama');
  });

  it('finds install.sh and ~/.local/bin locations on Linux when PATH has none', () => {
    assert.equal(locateOllamaBinary(env('linux', { PATH: '/bin' }, ['/usr/local/bin/ollama'])), '/usr/local/bin/ollama');
    assert.equal(locateOllamaBinary(env('linux', {}, ['/home/u/.local/bin/ollama'])), '/home/u/.local/bin/ollama');
  });

  it('finds the app bundle and Homebrew on macOS', () => {
    assert.equal(
      locateOllamaBinary(env('darwin', { PATH: '/usr/bin' }, ['/Applications/Ollama.app/Contents/Resources/ollama', '/opt/homebrew/bin/ollama'])),
      '/Applications/Ollama.app/Contents/Resources/ollama',
    );
    assert.equal(locateOllamaBinary(env('darwin', {}, ['/opt/homebrew/bin/ollama'])), '/opt/homebrew/bin/ollama');
  });

  it('finds the per-user install on Windows, and PATH entries with PATHEXT', () => {
    const local = 'C:\\Users\\u\\AppData\\Local';
    assert.equal(
      locateOllamaBinary(env('win32', { LOCALAPPDATA: local, Path: 'C:\\Windows' }, [`${local}\\Programs\\Ollama\\ollama.exe`])),
      `${local}\\Programs\\Ollama\\ollama.exe`,
    );
    assert.equal(locateOllamaBinary(env('win32', { Path: 'D:\\tools', PATHEXT: '.COM;.EXE' }, ['D:\\tools\\ollama.exe'])), 'D:\\tools\\ollama.exe');
  });

  it('says undefined when Ollama is not installed', () => {
    assert.equal(locateOllamaBinary(env('linux', { PATH: '/usr/bin' }, [])), undefined);
  });

  it('checks the execute bit on a real file system', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-bin-'));
    const file = path.join(dir, 'ollama');
    fs.writeFileSync(file, '#!/bin/sh\n');
    const e = { ...currentEnvironment({ PATH: dir }), homedir: dir };
    assert.equal(locateOllamaBinary(e), undefined, 'not executable yet');
    fs.chmodSync(file, 0o755);
    assert.equal(locateOllamaBinary(e), file);
    fs.rmSync(dir, { recursive: true });
  });
});
