/**
 * dist/gateway.js: the gateway as a process of its own, forked by VS Code's extension host
 * (src/vscode/gateway/gatewayProcess.ts) with VS Code's own Node (process.execPath with
 * ELECTRON_RUN_AS_NODE=1). Why a process and not the extension host: Fastify (and a second copy
 * of the core) then stays out of dist/extension.js and the activation path entirely, a stuck
 * request cannot stall the editor, and stopping is killing a process.
 *
 * It is `switchyard serve` with the extension's settings instead of the CLI's file: the same
 * core (openGatewayCore → assembleCore), the machine's one ledger and the same token file, so
 * one cap holds across the panel, the CLI and both gateways. Keys come over the IPC channel
 * (hostProtocol.ts), bound to their origins, then from the environment.
 */
import { promises as fs } from 'node:fs';
import { defaultConfigPath } from '../cli/loadConfig';
import { effectiveProviderConfigs } from '../core/switchyard';
import type { Logger } from '../core/types';
import { envKeyStoreFor } from '../cli/envKeys';
import { type GatewayCore, openGatewayCore } from './core';
import type { FromGateway, ToGateway } from './hostProtocol';
import { RelayedKeyStore } from './relayedKeys';
import { GATEWAY_DEFAULTS, type Gateway, startGateway } from './server';
import { SettingsFile, parseGatewaySettings } from './settings';
import { loadOrCreateToken, tokenPath } from './token';
import { watchToken } from './tokenWatch';

/** Sends when the channel is still open; `then` runs once the message is written (or at once without a channel). */
function send(message: FromGateway, then?: () => void): void {
  if (process.connected && process.send) process.send(message, undefined, {}, () => then?.());
  else then?.();
}

const ipcLogger: Logger = {
  info: (event, fields) => send({ type: 'log', level: 'info', event, ...(fields ? { fields } : {}) }),
  warn: (event, fields) => send({ type: 'log', level: 'warn', event, ...(fields ? { fields } : {}) }),
  error: (event, fields) => send({ type: 'log', level: 'error', event, ...(fields ? { fields } : {}) }),
};

let keys: RelayedKeyStore | undefined;
let running: { gateway: Gateway; core: GatewayCore; watcher: { close(): void } } | undefined;
let stopping: Promise<void> | undefined;

/** The `gateway` section of the CLI's settings file (aliases, allowed origins…), when there is one: one file for both gateways. */
async function gatewaySection(file: string): Promise<unknown> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
}

async function start(message: Extract<ToGateway, { type: 'start' }>): Promise<void> {
  const env = process.env;
  keys = new RelayedKeyStore(message.keys, envKeyStoreFor(effectiveProviderConfigs(message.config, env), env));
  const file = defaultConfigPath(env);
  let core: GatewayCore | undefined;
  try {
    const settings = parseGatewaySettings(await gatewaySection(file));
    core = openGatewayCore({ config: message.config, env, logger: ipcLogger, keys, ...(message.localOnly ? { localOnly: message.localOnly } : {}) });
    const tokenFile = tokenPath(env);
    const token = await loadOrCreateToken(tokenFile);
    const gateway = await startGateway({ core, settings, settingsFile: new SettingsFile(file), token, tokenFile, host: message.host, port: message.port, workspaceId: message.workspaceId, locale: message.locale, logger: ipcLogger });
    const watcher = watchToken(tokenFile, (next) => gateway.setToken(next), ipcLogger);
    running = { gateway, core, watcher };
    send({ type: 'listening', url: gateway.url, port: gateway.port, tokenFile });
  } catch (err) {
    await core?.close().catch(() => undefined);
    const code = (err as NodeJS.ErrnoException).code;
    // Exits once the message is written (a disconnect right after send could drop it).
    send({ type: 'failed', reason: code === 'EADDRINUSE' || code === 'EACCES' ? 'portInUse' : 'other', port: message.port, message: (err as Error).message }, () => process.exit(1));
  }
}

/** In-flight requests get GATEWAY_DEFAULTS.graceMs (each settles its budget), then the ledger is closed. */
function stop(): Promise<void> {
  stopping ??= (async () => {
    if (running) {
      running.watcher.close();
      await running.gateway.close(GATEWAY_DEFAULTS.graceMs);
      await running.core.close();
    }
    // Exits rather than waiting for the event loop to drain: a provider's keep-alive socket must not keep the process alive.
    await new Promise<void>((resolve) => send({ type: 'stopped' }, resolve));
    process.exit(0);
  })();
  return stopping;
}

process.on('message', (message: ToGateway) => {
  if (message.type === 'start') void start(message);
  else if (message.type === 'keys') keys?.replace(message.keys);
  else if (message.type === 'stop') void stop();
});
// The extension host went away (a crash, a window closed): nobody can stop us any more, so stop now.
process.on('disconnect', () => void stop());
