/**
 * Which steps of the Get Started walkthrough are done, from what was checked live. Each step's
 * `completionEvents` in package.json is `onContext:<key>` for one key below, so VS Code ticks the
 * step the moment its key turns true. Pure: the checks feed it, tests call it directly.
 */

/** The context keys, one per step (package.json contributes.walkthroughs[0].steps). */
export const WALKTHROUGH_KEYS = {
  ollamaFound: 'switchyard.walkthrough.ollamaFound',
  modelPulled: 'switchyard.walkthrough.modelPulled',
  keySet: 'switchyard.walkthrough.keySet',
  budgetChosen: 'switchyard.walkthrough.budgetChosen',
  promptSent: 'switchyard.walkthrough.promptSent',
} as const;
export type WalkthroughStep = keyof typeof WALKTHROUGH_KEYS;

export interface WalkthroughFacts {
  /** The sidecar's Ollama status: anything but "missing" (and "unknown") means an `ollama` was found or answers. */
  ollamaStatus: 'unknown' | 'starting' | 'ready' | 'loading' | 'down' | 'missing';
  /** Installed Ollama models (names with tags). */
  installed: readonly string[];
  /** The models Switchyard recommends for this machine (names with tags). */
  recommended: readonly string[];
  /** How many (provider, origin) pairs have a key in SecretStorage. */
  storedKeys: number;
  /** A budget cap was set by the user at any scope (not the shipped default). */
  budgetSet: boolean;
  /** A prompt was sent from this installation at least once. */
  promptSent: boolean;
}

/** Ollama tags "latest" implicitly: "llama3.2" and "llama3.2:latest" are one model. */
const withTag = (name: string) => (name.includes(':') ? name : `${name}:latest`);

export function walkthroughState(f: WalkthroughFacts): Record<WalkthroughStep, boolean> {
  const installed = new Set(f.installed.map(withTag));
  return {
    ollamaFound: f.ollamaStatus !== 'missing' && f.ollamaStatus !== 'unknown',
    modelPulled: f.recommended.some((m) => installed.has(withTag(m))),
    keySet: f.storedKeys > 0,
    budgetChosen: f.budgetSet,
    promptSent: f.promptSent,
  };
}
