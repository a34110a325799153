/**
 * The IPC messages between VS Code's extension host and the gateway process it forks
 * (dist/gateway.js, hostMain.ts). Node's IPC channel is a pipe between the two processes only:
 * the keys the extension relays travel here, never on a command line, in an environment
 * variable, in a file or in a log.
 */
import type { SwitchyardConfig } from '../core/config';
import type { BindingLocalOnly } from '../core/types';
import type { GatewayLocale } from './messages';

/** One key from VS Code's SecretStorage, with the provider and endpoint origin it was stored for. */
export interface RelayedKey {
  provider: string;
  origin: string;
  key: string;
}

export type ToGateway =
  | {
      type: 'start';
      config: SwitchyardConfig;
      localOnly?: BindingLocalOnly;
      keys: RelayedKey[];
      host: string;
      port: number;
      workspaceId: string;
      locale: GatewayLocale;
    }
  /** The keys changed in SecretStorage: the whole set again (a removed key is gone at once). */
  | { type: 'keys'; keys: RelayedKey[] }
  | { type: 'stop' };

export type FromGateway =
  | { type: 'listening'; url: string; port: number; tokenFile: string }
  /** The start failed: `portInUse` is the case a user fixes with the port setting. */
  | { type: 'failed'; reason: 'portInUse' | 'other'; port: number; message: string }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; event: string; fields?: Record<string, unknown> }
  | { type: 'stopped' };
