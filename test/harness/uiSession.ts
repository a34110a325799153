/**
 * A code-server plus a Chromium page on its workbench with Switchyard loaded, ready for a UI test
 * to drive. Most UI test files share one (sharedUiSession(), started once per `npm run test:ui`
 * and closed by test/ui/run.ts); a file that needs its own environment or locale starts its own
 * with startUiSession({ env, locale }) and closes it in its after() hook.
 */
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { REPO_ROOT, startCodeServer, type CodeServer, type CodeServerOptions } from './codeServer';
import { openWorkbench, type Workbench } from './workbench';

export interface UiSessionOptions extends Omit<CodeServerOptions, 'installVsix'> {
  /**
   * Which Switchyard to load: the source tree as extension under development (default), or a
   * packaged .vsix installed into code-server (what would ship). SWITCHYARD_UI_VSIX=<file>
   * switches the shared session to a .vsix.
   */
  vsix?: string;
}

export interface UiSession {
  server: CodeServer;
  workbench: Workbench;
  page: Page;
  close(): Promise<void>;
}

export async function startUiSession(options: UiSessionOptions = {}): Promise<UiSession> {
  const { vsix, ...serverOptions } = options;
  const server = await startCodeServer({ ...serverOptions, installVsix: vsix && path.resolve(vsix) });
  try {
    const payload: [string, string][] | undefined = vsix
      ? undefined
      : [['extensionDevelopmentPath', server.remoteUri(REPO_ROOT)]];
    const workbench = await openWorkbench(server, { payload });
    const session: UiSession = {
      server,
      workbench,
      page: workbench.page,
      close: async () => {
        live.delete(session);
        await workbench.close();
        await server.stop();
      },
    };
    live.add(session);
    return session;
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/** Open sessions, oldest first (for failure screenshots). */
const live = new Set<UiSession>();
let shared: Promise<UiSession> | undefined;

/** The session shared by all UI test files (started on first use). */
export function sharedUiSession(): Promise<UiSession> {
  shared ??= startUiSession({ vsix: process.env.SWITCHYARD_UI_VSIX || undefined });
  return shared;
}

/** The most recently started session still open (what a failing test was looking at), if any. */
export function latestUiSession(): UiSession | undefined {
  return [...live].at(-1);
}

/** Closes the shared session and any session a test file left open (run.ts calls this last). */
export async function closeSharedUiSession(): Promise<void> {
  const session = shared;
  shared = undefined;
  if (session) await (await session.catch(() => undefined))?.close();
  for (const leftover of [...live]) await leftover.close().catch(() => undefined);
}
