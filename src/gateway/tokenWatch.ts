/**
 * Follows the token file while the gateway runs, so a rotation by another process (`switchyard
 * serve --rotate-token`, later a VS Code command) applies at once: the directory is watched,
 * because a rotation replaces the file by rename (the old file's watch would see nothing).
 */
import { watch } from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../core/types';
import { loadOrCreateToken } from './token';

export function watchToken(file: string, onToken: (token: string) => void, logger: Logger): { close(): void } {
  let current: string | undefined;
  const reload = () => {
    loadOrCreateToken(file).then(
      (token) => {
        if (token !== current) {
          current = token;
          onToken(token);
          logger.info('gateway.token_reloaded', { file });
        }
      },
      (err: Error) => logger.warn('gateway.token_reload_failed', { file, message: err.message }),
    );
  };
  const watcher = watch(path.dirname(file), (_event, name) => {
    if (name === path.basename(file)) reload();
  });
  return { close: () => watcher.close() };
}
