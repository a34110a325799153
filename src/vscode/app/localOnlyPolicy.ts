/**
 * When Local only is binding in the extension, whatever the workspace says. Pure (no `vscode`
 * import; the trust flag is an input) so the rules are unit-tested under plain Node.
 *
 * A workspace may make routing more private, never less (a cloned repository's
 * `.vscode/settings.json` is attacker-controlled):
 * - the folder is not trusted (VS Code Workspace Trust) → Local only, with the user's settings;
 * - the user's own `switchyard.mode` is "local" → Local only, and any workspace mode, pinned
 *   model or per-workspace switcher choice that asked for more is reported as overruled.
 * The router enforces the result (SwitchyardDeps.localOnly), so a request cannot lift it either.
 */
import type { BindingLocalOnly, LocalOnlyReason } from '../../core/types';

export interface LocalOnlyInputs {
  /** `vscode.workspace.isTrusted`. */
  trusted: boolean;
  /** `switchyard.mode` in the user's settings (globalValue). */
  userMode: unknown;
  /** The workspace's `switchyard.mode` (folder value, else workspace value). */
  workspaceMode?: unknown;
  /** The workspace's `switchyard.pinned`. */
  workspacePinned?: unknown;
  /** The mode chosen in this workspace's status bar switcher (workspaceState). */
  switcherMode?: unknown;
  switcherPinned?: unknown;
}

export function localOnlyPolicy(inputs: LocalOnlyInputs): BindingLocalOnly | undefined {
  if (!inputs.trusted) return { because: 'untrusted_workspace', reasons: [{ code: 'untrusted_workspace' }] };
  if (inputs.userMode !== 'local') return undefined;
  const reasons: LocalOnlyReason[] = [];
  const modeAsked = inputs.switcherMode ?? inputs.workspaceMode;
  if (typeof modeAsked === 'string' && modeAsked !== 'local') reasons.push({ code: 'user_local_only_wins', setting: 'mode', asked: modeAsked });
  const pinAsked = inputs.switcherMode !== undefined ? inputs.switcherPinned : inputs.workspacePinned;
  if (modeAsked === 'pinned' && typeof pinAsked === 'string' && pinAsked) reasons.push({ code: 'user_local_only_wins', setting: 'pinned', asked: pinAsked });
  return { because: 'user_setting', reasons };
}
