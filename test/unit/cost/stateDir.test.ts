import { strict as assert } from 'node:assert';
import * as pkg from '../../../package.json';
import { defaultLedgerDir, legacyCliLedgerDir } from '../../../src/core/cost';
import { STATE_DIR_ENV, stateDir } from '../../../src/core/stateDir';

describe('state directory: one place per machine', () => {
  it('Linux: $XDG_STATE_HOME/switchyard, else ~/.local/state/switchyard; a relative XDG value is ignored (XDG spec)', () => {
    assert.equal(stateDir({}, 'linux', '/home/ann'), '/home/ann/.local/state/switchyard');
    assert.equal(stateDir({ XDG_STATE_HOME: '/var/ann/state' }, 'linux', '/home/ann'), '/var/ann/state/switchyard');
    assert.equal(stateDir({ XDG_STATE_HOME: 'state' }, 'linux', '/home/ann'), '/home/ann/.local/state/switchyard');
    assert.equal(stateDir({ XDG_STATE_HOME: '' }, 'freebsd', '/home/ann'), '/home/ann/.local/state/switchyard');
    // The config directory is not the state directory.
    assert.equal(stateDir({ XDG_CONFIG_HOME: '/cfg' }, 'linux', '/home/ann'), '/home/ann/.local/state/switchyard');
  });

  it('macOS: ~/Library/Application Support/Switchyard (XDG variables are not a macOS convention)', () => {
    assert.equal(stateDir({ XDG_STATE_HOME: '/x' }, 'darwin', '/Users/ann'), '/Users/ann/Library/Application Support/Switchyard');
  });

  it('Windows: %LOCALAPPDATA%\\Switchyard, else <home>\\AppData\\Local\\Switchyard', () => {
    assert.equal(stateDir({ LOCALAPPDATA: 'C:\\Users\\ann\\AppData\\Local' }, 'win32', 'C:\\Users\\ann'), 'C:\\Users\\ann\\AppData\\Local\\Switchyard');
    assert.equal(stateDir({}, 'win32', 'C:\\Users\\ann'), 'C:\\Users\\ann\\AppData\\Local\\Switchyard');
  });

  it(`${STATE_DIR_ENV} overrides on every platform, and must be absolute`, () => {
    assert.equal(stateDir({ [STATE_DIR_ENV]: '/tmp/sy/' }, 'linux', '/home/ann'), '/tmp/sy/');
    assert.equal(stateDir({ [STATE_DIR_ENV]: '/tmp/sy' }, 'darwin', '/Users/ann'), '/tmp/sy');
    assert.equal(stateDir({ [STATE_DIR_ENV]: 'D:\\sy' }, 'win32', 'C:\\Users\\ann'), 'D:\\sy');
    assert.throws(() => stateDir({ [STATE_DIR_ENV]: 'relative/sy' }, 'linux', '/home/ann'), /SWITCHYARD_STATE_DIR must be an absolute path, got "relative\/sy"/);
  });

  it('the ledger is ledger/ in the state directory; the CLI’s old one was $XDG_CONFIG_HOME/switchyard', () => {
    assert.equal(defaultLedgerDir({ [STATE_DIR_ENV]: '/tmp/sy' }), '/tmp/sy/ledger');
    assert.equal(legacyCliLedgerDir({ XDG_CONFIG_HOME: '/cfg' }), '/cfg/switchyard');
  });

  it('no VS Code setting can move it (a workspace must not give itself a fresh ledger)', () => {
    const sections = ([] as Array<{ properties?: Record<string, unknown> }>).concat(pkg.contributes.configuration as never);
    const keys = sections.flatMap((section) => Object.keys(section.properties ?? {}));
    assert.ok(keys.length > 10, 'the settings were read');
    assert.deepEqual(keys.filter((k) => /dir|folder|ledger|state|storage/i.test(k)), []);
  });
});
