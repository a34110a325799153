/**
 * "Switchyard: Try the Demo" (switchyard.tryDemo) and "Switchyard: Leave the Demo"
 * (switchyard.stopDemo): demo mode for a machine with no local model and no key (issue 16).
 *
 * The demo servers (src/demo/, the test doubles' protocol code with canned answers) run in this
 * extension host, loaded from dist/demo.js on first use — or, under `npm start` when nothing real
 * was available, are the ones scripts/start.sh started and named in the environment. While demo
 * mode is on, the services use only the demo providers, key, budget and ledger (services.ts), so
 * nothing real is called and no real budget moves; it is on only when the user asks for it (this
 * command, or `npm start` on a machine with nothing else).
 */
import * as vscode from 'vscode';
import type { Services } from '../app/services';
import type { ChatSession } from '../chat/chatSession';
import type { Turn } from '../../shared/messages';
import { DEMO_CLOUD_URL_ENV, DEMO_LOCAL_URL_ENV, DEMO_SAMPLES, type DemoEndpoints } from '../../core/demo';

export type DemoSample = keyof typeof DEMO_SAMPLES;

export interface TryDemoResult {
  endpoints: DemoEndpoints;
  /** The sample prompt's turn, when one was sent. */
  turn?: Turn;
}

/** Servers `npm start` started for us (scripts/start.sh), from the environment. */
export function demoEndpointsFromEnv(env: NodeJS.ProcessEnv = process.env): DemoEndpoints | undefined {
  const localUrl = env[DEMO_LOCAL_URL_ENV]?.trim();
  const cloudBaseUrl = env[DEMO_CLOUD_URL_ENV]?.trim();
  return localUrl && cloudBaseUrl ? { localUrl, cloudBaseUrl } : undefined;
}

export function registerDemo(
  context: vscode.ExtensionContext,
  services: Services,
  session: ChatSession,
  openPanel: (preserveFocus?: boolean) => void,
): vscode.Disposable[] {
  let inProcess: Promise<{ close(): Promise<void> } & DemoEndpoints> | undefined;

  const endpoints = async (): Promise<DemoEndpoints> => {
    const fromEnv = demoEndpointsFromEnv();
    if (fromEnv) return fromEnv;
    // dist/demo.js, required here and not imported: the servers cost nothing until the demo is tried.
    inProcess ??= (require(context.asAbsolutePath('dist/demo.js')) as typeof import('../../demo/index')).startDemoServers();
    inProcess.catch(() => (inProcess = undefined));
    return inProcess;
  };

  const pickSample = async (): Promise<DemoSample | undefined> => {
    const items: (vscode.QuickPickItem & { sample: DemoSample })[] = [
      { sample: 'easy', label: DEMO_SAMPLES.easy, description: vscode.l10n.t('easy: the demo local model answers, for free') },
      { sample: 'hard', label: DEMO_SAMPLES.hard, description: vscode.l10n.t('hard: the local model is unsure, Switchyard escalates to the demo cloud model and shows the cost') },
    ];
    const picked = await vscode.window.showQuickPick(items, {
      title: vscode.l10n.t('Switchyard Demo: pick a sample prompt'),
      placeHolder: vscode.l10n.t('Demo answers are canned and labelled "demo"; demo costs go to a separate demo ledger, never your budget.'),
    });
    return picked?.sample;
  };

  const tryDemo = async (sample?: unknown): Promise<TryDemoResult> => {
    const ep = await endpoints();
    if (services.demo()?.localUrl !== ep.localUrl) services.setDemo(ep);
    const chosen = sample === 'easy' || sample === 'hard' ? sample : sample === 'none' ? undefined : await pickSample();
    openPanel(true);
    if (!chosen) return { endpoints: ep };
    const prompt = DEMO_SAMPLES[chosen];
    return { endpoints: ep, turn: await session.ask({ prompt, label: vscode.l10n.t('Demo: {0}', prompt) }) };
  };

  const stopDemo = async (): Promise<void> => {
    services.setDemo(undefined);
    const running = inProcess;
    inProcess = undefined;
    await (await running?.catch(() => undefined))?.close();
  };

  // Under `npm start` on a machine with nothing real (start.sh decided that), the demo is on from
  // the start — unless a key is stored, which is a real provider the script could not see.
  const fromEnv = demoEndpointsFromEnv();
  if (fromEnv && services.keys.list().length === 0) services.setDemo(fromEnv);

  const wrap = <A extends unknown[], R>(id: string, fn: (...args: A) => Promise<R>) =>
    vscode.commands.registerCommand(id, async (...args: A) => {
      try {
        return await fn(...args);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        services.logger.error('command.failed', { command: id, error: message });
        void vscode.window.showErrorMessage(vscode.l10n.t('Switchyard: the demo could not start: {0}', message));
        return undefined;
      }
    });

  return [
    wrap('switchyard.tryDemo', tryDemo),
    wrap('switchyard.stopDemo', stopDemo),
    { dispose: () => void inProcess?.then((s) => s.close()).catch(() => undefined) },
  ];
}
