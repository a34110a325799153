/**
 * `switchyard` entry point (bundled to dist/cli.js): binds runCli to the real process.
 * Ctrl-C (or SIGTERM) cancels the request (the router stops the stream at the socket and settles the
 * budget); a second Ctrl-C exits at once.
 */
import { promises as fs } from 'node:fs';
import * as readline from 'node:readline/promises';
import { runCli } from './run';

const interrupt = new AbortController();
process.on('SIGINT', () => {
  if (interrupt.signal.aborted) process.exit(130);
  interrupt.abort();
});
// SIGTERM (a service manager, `kill`) stops like Ctrl-C: `serve` finishes or aborts its requests, `ask` settles its budget.
process.on('SIGTERM', () => interrupt.abort());

async function readStdin(): Promise<string | undefined> {
  if (process.stdin.isTTY) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A yes/no question on the terminal; only when both stdin and stderr are one (not in a pipe). */
async function confirm(question: string): Promise<boolean> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  readFile: (file) => fs.readFile(file, 'utf8'),
  readStdin,
  signal: interrupt.signal,
  confirm: process.stdin.isTTY && process.stderr.isTTY ? confirm : undefined,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // runCli reports its own errors; this is the last line of defence.
    process.stderr.write(`switchyard: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
