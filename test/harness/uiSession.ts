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
    return {
      server,
      workbench,
      page: workbench.page,
      close: async () => {
        await workbench.close();
        await server.stop();
      },
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

let shared: Promise<UiSession> | undefined;
let sharedReady: UiSession | undefined;

/** The session shared by all UI test files (started on first use). */
export function sharedUiSession(): Promise<UiSession> {
  shared ??= startUiSession({ vsix: process.env.SWITCHYARD_UI_VSIX || undefined }).then((session) => (sharedReady = session));
  return shared;
}

/** The shared session if it has started (for failure screenshots), without starting it. */
export function currentSharedUiSession(): UiSession | undefined {
  return sharedReady;
}

export async function closeSharedUiSession(): Promise<void> {
  const session = shared;
  shared = undefined;
  sharedReady = undefined;
  if (session) await (await session.catch(() => undefined))?.close();
}
