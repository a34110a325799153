/**
 * The CLI's words for a core `Fix`: the core says what would fix a failure as data, and each
 * surface names its own way to do it. Here a key is an environment variable (VS Code's "Set API
 * Key" command does not exist in a terminal) and a setting is a key of the settings file.
 */
import type { ProviderConfig } from '../core/config';
import type { Fix } from '../core/types';
import { keyVarsFor } from './envKeys';

export function cliFixText(fix: Fix, providers: Readonly<Record<string, Pick<ProviderConfig, 'apiKeyEnv' | 'vendor'>>>, settingsFile?: string): string {
  switch (fix.action) {
    case 'set_key': {
      const config = providers[fix.provider];
      // The vendor's own variable first: it is the one users already know (GROQ_API_KEY).
      const vars = config ? keyVarsFor(fix.provider, config).reverse() : [];
      const names = vars.length > 0 ? vars.join(' or ') : 'its key variable';
      return `Set ${names} in the environment${fix.origin ? ` (the key for ${fix.origin})` : ''}.`;
    }
    case 'fix_setting':
      return `Fix ${fix.setting || 'the settings'} in ${settingsFile ?? 'the settings file'}.`;
    // The exclusion's own sentence already names the download page, `ollama serve` or `ollama
    // pull <model>` (selection.ts, ollamaManager.ts): a second wording would only repeat it.
    case 'install_ollama':
    case 'start_local':
    case 'pull_model':
      return '';
  }
}
