/**
 * `switchyard serve [--port 8000] [--host 127.0.0.1] [--workspace ID] [--config FILE]`: starts
 * the gateway, prints the base URLs and where the token is (never the token itself), and on
 * Ctrl-C or SIGTERM (io.signal) stops: in-flight requests get GATEWAY_DEFAULTS.graceMs to
 * finish, then are aborted (each settles its budget for what was served).
 */
import { defaultConfigPath, loadConfig } from '../cli/loadConfig';
import type { CliIo } from '../cli/run';
import { type ServeOptions, UsageError } from '../cli/args';
import type { Logger } from '../core/types';
import { silentLogger } from '../core/types';
import { openGatewayCore } from './core';
import { gatewayText, localeFromEnv } from './messages';
import { GATEWAY_DEFAULTS, startGateway } from './server';
import { SettingsFile, parseGatewaySettings } from './settings';
import { loadOrCreateToken, rotateToken, tokenPath } from './token';
import { watchToken } from './tokenWatch';

export async function runServe(options: ServeOptions, io: CliIo): Promise<number> {
  const locale = localeFromEnv(io.env);
  if (options.rotateToken) {
    const file = tokenPath(io.env);
    await rotateToken(file);
    io.stdout.write(gatewayText(locale, 'tokenRotated', file));
    return 0;
  }
  const loaded = await loadConfig(options.configPath, io.env, io.readFile);
  for (const p of loaded.problems) io.stderr.write(`switchyard: settings ${loaded.path ?? ''} ${p.path}: ${p.message} (${p.effect === 'fail_closed' ? 'cloud calls refused until fixed' : 'ignored, default used'})\n`);
  // Unlike a one-shot command, the server starts with a setting that fails closed: the core then refuses every cloud call and local models keep answering.
  const file = loaded.path ?? options.configPath ?? defaultConfigPath(io.env);
  let raw: unknown = {};
  if (loaded.path) raw = JSON.parse(await io.readFile(loaded.path));
  let settings;
  try {
    settings = parseGatewaySettings(raw);
  } catch (err) {
    throw new UsageError(`${file}: ${(err as Error).message}`);
  }
  const logger = serveLogger(io);
  const core = openGatewayCore({ config: loaded.config, env: io.env, logger });
  const tokenFile = tokenPath(io.env);
  const token = await loadOrCreateToken(tokenFile);
  let gateway;
  try {
    gateway = await startGateway({ core, settings, settingsFile: new SettingsFile(file), token, tokenFile, host: options.host, port: options.port, workspaceId: options.workspace, locale, logger });
  } catch (err) {
    await core.close();
    throw err;
  }
  // `serve --rotate-token` (another process) replaces the file: the new token applies at once.
  const watcher = watchToken(tokenFile, (next) => gateway.setToken(next), logger);
  io.stdout.write(gatewayText(locale, 'serveListening', gateway.url, tokenFile));
  if (!isLoopbackHost(options.host)) io.stderr.write(gatewayText(locale, 'serveNotLoopback', options.host));
  const signal = io.signal ?? new AbortController().signal;
  await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
  io.stderr.write(gatewayText(locale, 'serveStopping', gateway.inFlight()));
  watcher.close();
  await gateway.close(GATEWAY_DEFAULTS.graceMs);
  await core.close();
  io.stderr.write(gatewayText(locale, 'serveStopped'));
  return 0;
}

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** JSON lines on stderr when SWITCHYARD_DEBUG is set (like the CLI's); never headers or bodies. */
function serveLogger(io: CliIo): Logger {
  if (!io.env.SWITCHYARD_DEBUG) return silentLogger;
  const write = (level: string) => (event: string, fields?: Record<string, unknown>) => void io.stderr.write(JSON.stringify({ level, event, ...fields }) + '\n');
  return { info: write('info'), warn: write('warn'), error: write('error') };
}
