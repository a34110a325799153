/**
 * Entry point of the extension host side. Activation stays cheap: it registers commands, the
 * panel serializer and the status bar item; providers, the ledger and the router are built
 * lazily on the first request (see src/vscode/app/services.ts).
 */
import * as vscode from 'vscode';
import { getServices, type Services } from './vscode/app/services';
import { ConversationStore } from './vscode/chat/conversationStore';
import { ChatSession } from './vscode/chat/chatSession';
import { SwitchyardPanel, trackLastEditor } from './vscode/panel/panel';
import { SwitchyardStatusBar } from './vscode/statusBar/statusBar';
import { registerCommands } from './vscode/commands';
import { showBudgetAlerts } from './vscode/budget/budgetAlerts';
import { registerLocalModels } from './vscode/local/localModels';
import { registerInlineCompletion, type InlineCompletionHandle } from './vscode/completion/inlineCompletion';
import { registerWalkthrough, type WalkthroughHandle } from './vscode/firstRun/walkthrough';
import { registerGateway, type GatewayHandle } from './vscode/gateway/gatewayCommands';

/** What activate() returns: lets the extension-host tests see UI pieces that VS Code's API cannot list. */
export interface SwitchyardExtensionApi {
  readonly statusBarItem: vscode.StatusBarItem;
  readonly statusBar: SwitchyardStatusBar;
  readonly services: Services;
  readonly session: ChatSession;
  readonly panel: () => SwitchyardPanel | undefined;
  readonly inlineCompletion: InlineCompletionHandle;
  readonly walkthrough: WalkthroughHandle;
  /** The Local API Server (its status bar item, its URL while it runs). */
  readonly gateway: GatewayHandle;
  /** How long activate() itself ran (bench/activation.ts separates it from VS Code's share). */
  readonly activateBodyMs: number;
}

export function activate(context: vscode.ExtensionContext): SwitchyardExtensionApi {
  const started = performance.now();
  const services = getServices(context);
  const session = new ChatSession(services, new ConversationStore(context.workspaceState));
  const statusBar = new SwitchyardStatusBar(services, session);
  const inlineCompletion = registerInlineCompletion(context);
  const walkthrough = registerWalkthrough(context, services, session);
  const gateway = registerGateway(context, services);
  runningGateway = gateway;
  context.subscriptions.push(
    session,
    statusBar,
    trackLastEditor(),
    SwitchyardPanel.registerSerializer(context, services, session),
    showBudgetAlerts(services),
    ...registerCommands(context, services, session),
    registerLocalModels(context),
    walkthrough,
    gateway,
  );
  const activateBodyMs = performance.now() - started;
  return { statusBarItem: statusBar.item, statusBar, services, session, panel: () => SwitchyardPanel.instance, inlineCompletion, walkthrough, gateway, activateBodyMs };
}

let runningGateway: GatewayHandle | undefined;

/** Stops the Local API Server cleanly (in-flight requests settle their budget) before VS Code ends the host. */
export function deactivate(): Promise<void> | undefined {
  return runningGateway?.stop();
}
