/**
 * The manual primary ("Switchyard: Make Provider Primary…", `switchyard primary <provider>`):
 * one small file in the shared state directory, so every VS Code window, the CLI and the gateway
 * agree on it. Read through a stat-keyed cache: a plan costs one stat(2) when nothing changed,
 * and a change made by another process is seen at the next request.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stateDir } from '../stateDir';

export const PRIMARY_FILE = 'primary.json';

export interface PrimaryStore {
  /** The provider made primary, or undefined (the strategy's order then holds). */
  get(): string | undefined;
  /** undefined clears it. */
  set(provider: string | undefined): void;
}

interface Stored {
  provider: string;
  /** When it was set (ms), for the status view. */
  at: number;
}

export function primaryStore(dir: string = stateDir(), now: () => number = Date.now): PrimaryStore {
  const file = path.join(dir, PRIMARY_FILE);
  let cache: { key: string; provider: string | undefined } | undefined;
  return {
    get() {
      let key: string;
      try {
        const st = fs.statSync(file);
        key = `${st.mtimeMs} ${st.size} ${st.ino}`;
      } catch {
        cache = undefined;
        return undefined;
      }
      if (cache?.key === key) return cache.provider;
      let provider: string | undefined;
      try {
        const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Stored>;
        provider = typeof parsed.provider === 'string' && parsed.provider ? parsed.provider : undefined;
      } catch {
        provider = undefined; // a torn or hand-edited file: no primary rather than a crash
      }
      cache = { key, provider };
      return provider;
    },
    set(provider) {
      fs.mkdirSync(dir, { recursive: true });
      if (provider === undefined) {
        fs.rmSync(file, { force: true });
        return;
      }
      // Written whole then renamed: a reader never sees half a file.
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify({ provider, at: now() } satisfies Stored));
      fs.renameSync(tmp, file);
    },
  };
}
