/**
 * Real child processes for the cross-process tests (ledger, provider guard): the child's
 * TypeScript is bundled once to one plain JS file, because several processes each transpiling
 * dozens of files through tsx on a 2-core machine spend seconds just starting. Children talk to
 * the test over IPC; every one still running is SIGKILLed after each test.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';

export class BundledChildren {
  private script: string | undefined;
  private readonly running = new Set<ChildProcess>();

  constructor(private readonly source: string) {}

  async build(): Promise<void> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `switchyard-${path.basename(this.source, '.ts')}-`));
    this.script = path.join(dir, 'child.js');
    await esbuild.build({ entryPoints: [this.source], bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile: this.script, logLevel: 'error' });
  }

  spawn(args: string[]): ChildProcess {
    if (!this.script) throw new Error('BundledChildren.build() first');
    const child = fork(this.script, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.running.add(child);
    child.on('exit', () => this.running.delete(child));
    return child;
  }

  async killAll(): Promise<void> {
    for (const child of this.running) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  }

  remove(): void {
    if (this.script) fs.rmSync(path.dirname(this.script), { recursive: true, force: true });
  }
}

/** The child's next IPC message that has `key`; rejects on a message with `error` or an early exit. */
export function nextMessage<T>(child: ChildProcess, key: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: Record<string, unknown>) => {
      if (m.error) reject(new Error(String(m.error)));
      else if (key in m) {
        child.off('message', onMessage);
        resolve(m as T);
      }
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before "${key}"`)));
  });
}
