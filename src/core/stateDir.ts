/**
 * The one directory where Switchyard keeps machine-wide state: the usage ledger today, later the
 * gateway's and the quota/breaker state. The extension (every VS Code window, every flavour:
 * Code, Insiders, VSCodium, code-server) and the CLI all call stateDir(), so one budget cap
 * holds across all of them.
 *
 * Where, per platform (each the platform's convention for per-user, per-machine app state):
 *   Linux and other Unix  $XDG_STATE_HOME/switchyard, default ~/.local/state/switchyard
 *   macOS                 ~/Library/Application Support/Switchyard
 *   Windows               %LOCALAPPDATA%\Switchyard (the non-roaming profile)
 *   any                   $SWITCHYARD_STATE_DIR when set (tests, portable installs)
 *
 * Why XDG_STATE_HOME and not XDG_DATA_HOME: the directory holds lock files, heartbeats of live
 * processes, open reservations and circuit-breaker state, which mean something only on this
 * machine and must not be synced or copied to another; the XDG spec puts exactly that ("state
 * data that should persist between restarts but is not portable") in XDG_STATE_HOME. The same
 * reason picks LOCALAPPDATA over the roaming APPDATA on Windows.
 *
 * Only the environment decides, never a VS Code setting: a workspace must not be able to point
 * the ledger at an empty directory and so start a fresh budget.
 */
import * as os from 'node:os';
import * as path from 'node:path';

export const STATE_DIR_ENV = 'SWITCHYARD_STATE_DIR';

export class StateDirError extends Error {}

export function stateDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = os.homedir(),
): string {
  const p = platform === 'win32' ? path.win32 : path.posix;
  const override = env[STATE_DIR_ENV]?.trim();
  if (override) {
    // A relative path would name a different directory for each working directory, i.e. a
    // separate budget per terminal: refused rather than resolved.
    if (!p.isAbsolute(override)) throw new StateDirError(`${STATE_DIR_ENV} must be an absolute path, got "${override}"`);
    return p.normalize(override);
  }
  if (platform === 'win32') {
    const local = env.LOCALAPPDATA?.trim();
    return p.join(local && p.isAbsolute(local) ? local : p.join(home, 'AppData', 'Local'), 'Switchyard');
  }
  if (platform === 'darwin') return p.join(home, 'Library', 'Application Support', 'Switchyard');
  // The XDG spec: a relative value is invalid and must be ignored.
  const xdg = env.XDG_STATE_HOME?.trim();
  return p.join(xdg && p.isAbsolute(xdg) ? xdg : p.join(home, '.local', 'state'), 'switchyard');
}
