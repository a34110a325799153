/**
 * Reads the CLI's settings file: the same schema as the extension's settings, as JSON. A missing
 * default file means "defaults"; a missing --config file, unreadable JSON or a non-object is a
 * settings error (exit 2) that names the file; a bad value inside is reported and skipped
 * (parseConfig keeps everything else).
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { type ConfigProblem, type SwitchyardConfig, parseConfig } from '../core/config';
import { UsageError } from './args';

export interface LoadedConfig {
  config: SwitchyardConfig;
  problems: ConfigProblem[];
  /** The file read, or undefined when none existed and defaults apply. */
  path?: string;
}

/** $XDG_CONFIG_HOME/switchyard/config.json, else ~/.config/switchyard/config.json. */
export function defaultConfigPath(env: NodeJS.ProcessEnv, homedir = os.homedir()): string {
  const base = env.XDG_CONFIG_HOME?.trim() ? env.XDG_CONFIG_HOME : path.join(homedir, '.config');
  return path.join(base, 'switchyard', 'config.json');
}

export async function loadConfig(
  explicitPath: string | undefined,
  env: NodeJS.ProcessEnv,
  readFile: (file: string) => Promise<string>,
): Promise<LoadedConfig> {
  const file = explicitPath ?? defaultConfigPath(env);
  let text: string;
  try {
    text = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !explicitPath) return { ...parseConfig({}), path: undefined };
    throw new UsageError(`cannot read the settings file ${file}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`the settings file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new UsageError(`the settings file ${file} must hold a JSON object like {"mode": "auto", "providers": {…}}`);
  }
  return { ...parseConfig(raw), path: file };
}
