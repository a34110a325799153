/**
 * The gateway process (dist/gateway.js, src/gateway/hostMain.ts), forked with VS Code's own Node:
 * process.execPath with ELECTRON_RUN_AS_NODE=1 (desktop VS Code's Electron runs as plain Node;
 * code-server's extension host already is Node and ignores the variable). The extension's keys
 * go over the IPC channel only (hostProtocol.ts); nothing secret is on the command line, in the
 * environment given to the child beyond what the host already had, or in a file.
 *
 * child_process is required on first start, not imported: the activation path stays as it was.
 */
import type { ChildProcess } from 'node:child_process';
import type { FromGateway, RelayedKey, ToGateway } from '../../gateway/hostProtocol';
import type { Logger } from '../../core/types';

/** How long Stop waits for the process to finish in-flight requests before killing it: the gateway's own grace (GATEWAY_DEFAULTS.graceMs, 5 s) and margin for closing the ledger. */
export const STOP_TIMEOUT_MS = 8_000;

export type StartResult = { ok: true; url: string; port: number; tokenFile: string } | { ok: false; reason: 'portInUse' | 'other'; port: number; message: string };

export class GatewayProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly port: number,
    readonly tokenFile: string,
    private readonly exited: Promise<void>,
  ) {}

  /** Forks dist/gateway.js and starts it; resolves once it listens or has failed. */
  static async start(options: { extensionPath: string; start: Extract<ToGateway, { type: 'start' }>; logger: Logger; onExit(): void }): Promise<{ process?: GatewayProcess; result: StartResult }> {
    const { fork } = require('node:child_process') as typeof import('node:child_process');
    const { join } = require('node:path') as typeof import('node:path');
    const child = fork(join(options.extensionPath, 'dist', 'gateway.js'), [], {
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'json',
    });
    // The child logs over IPC; stderr carries only what Node itself prints (a crash): kept short, into the log.
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => options.logger.warn('gateway.stderr', { text: chunk.slice(0, 2_000) }));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    void exited.then(() => options.onExit());
    const result = await new Promise<StartResult>((resolve) => {
      child.on('message', (message: FromGateway) => {
        if (message.type === 'log') options.logger[message.level](message.event, message.fields);
        else if (message.type === 'listening') resolve({ ok: true, url: message.url, port: message.port, tokenFile: message.tokenFile });
        else if (message.type === 'failed') resolve({ ok: false, reason: message.reason, port: message.port, message: message.message });
      });
      child.once('error', (err) => resolve({ ok: false, reason: 'other', port: options.start.port, message: err.message }));
      void exited.then(() => resolve({ ok: false, reason: 'other', port: options.start.port, message: 'the gateway process exited' }));
      child.send(options.start);
    });
    if (!result.ok) {
      child.kill();
      return { result };
    }
    return { process: new GatewayProcess(child, result.url, result.port, result.tokenFile, exited), result };
  }

  sendKeys(keys: RelayedKey[]): void {
    if (this.child.connected) this.child.send({ type: 'keys', keys } satisfies ToGateway);
  }

  /** Asks the process to stop (in-flight requests finish, the ledger is closed); kills it after STOP_TIMEOUT_MS. Resolves once it has exited. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    if (this.child.connected) this.child.send({ type: 'stop' } satisfies ToGateway);
    else this.child.kill();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await this.exited;
    clearTimeout(timer);
  }
}
