/**
 * Finds the `ollama` executable: first on PATH, then in the places the official installers put
 * it. Everything platform-specific is a parameter, so the Windows and macOS rules are tested on Linux.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The page we send users to when Ollama is missing; we never download executables ourselves. */
export const OLLAMA_INSTALL_URL = 'https://ollama.com/download';

export interface LocatorEnvironment {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  homedir: string;
  /** True when the path is a file this user may execute. */
  isExecutable(file: string): boolean;
}

export function currentEnvironment(env: NodeJS.ProcessEnv = process.env): LocatorEnvironment {
  return { platform: process.platform, env, homedir: os.homedir(), isExecutable: isExecutableFile };
}

function isExecutableFile(file: string): boolean {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) return false;
    // Windows has no execute bit; the extension (.exe) is what makes a file runnable there.
    if (process.platform !== 'win32') fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The usual install locations, in the order we try them after PATH:
 * - Linux: the official install.sh picks /usr/local/bin, /usr/bin or /bin; pipx/manual installs
 *   use ~/.local/bin; the snap package links /snap/bin.
 * - macOS: the app bundle ships the CLI in Contents/Resources; Homebrew uses /opt/homebrew/bin
 *   (Apple silicon) or /usr/local/bin (Intel).
 * - Windows: OllamaSetup.exe installs per user into %LOCALAPPDATA%\Programs\Ollama.
 */
export function wellKnownLocations(e: Pick<LocatorEnvironment, 'platform' | 'env' | 'homedir'>): string[] {
  switch (e.platform) {
    case 'win32': {
      const p = path.win32;
      const local = e.env.LOCALAPPDATA ?? p.join(e.homedir, 'AppData', 'Local');
      const out = [p.join(local, 'Programs', 'Ollama', 'ollama.exe')];
      if (e.env.ProgramFiles) out.push(p.join(e.env.ProgramFiles, 'Ollama', 'ollama.exe'));
      return out;
    }
    case 'darwin':
      return [
        '/Applications/Ollama.app/Contents/Resources/ollama',
        path.posix.join(e.homedir, 'Applications/Ollama.app/Contents/Resources/ollama'),
        '/opt/homebrew/bin/ollama',
        '/usr/local/bin/ollama',
      ];
    default:
      return [
        '/usr/local/bin/ollama',
        '/usr/bin/ollama',
        '/bin/ollama',
        path.posix.join(e.homedir, '.local/bin/ollama'),
        '/snap/bin/ollama',
      ];
  }
}

/** Candidates from PATH, honouring PATHEXT on Windows. */
function pathCandidates(e: LocatorEnvironment): string[] {
  const win = e.platform === 'win32';
  const p = win ? path.win32 : path.posix;
  // Windows environment variable names are case-insensitive ("Path").
  const pathVar = win ? Object.entries(e.env).find(([k]) => k.toUpperCase() === 'PATH')?.[1] : e.env.PATH;
  const dirs = (pathVar ?? '').split(win ? ';' : ':').filter(Boolean);
  const exts = win ? (e.env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';').filter(Boolean).map((x) => x.toLowerCase()) : [''];
  return dirs.flatMap((dir) => exts.map((ext) => p.join(dir.replace(/^"|"$/g, ''), `ollama${ext}`)));
}

/** The first executable `ollama` found, or undefined when Ollama is not installed. */
export function locateOllamaBinary(e: LocatorEnvironment = currentEnvironment()): string | undefined {
  for (const candidate of [...pathCandidates(e), ...wellKnownLocations(e)]) {
    if (e.isExecutable(candidate)) return candidate;
  }
  return undefined;
}
