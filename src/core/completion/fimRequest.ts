/**
 * How a fill-in-the-middle request goes over an OpenAI-compatible /completions endpoint.
 *
 * Two ways exist, and servers differ in which one works:
 * - "suffix": `prompt` = prefix, `suffix` = suffix; the server applies the model's own FIM
 *   template. Ollama's /v1 does. llama.cpp's server and LM Studio ignore `suffix` (the model then
 *   completes left to right and repeats the code after the cursor), and vLLM answers 400.
 * - "template": `prompt` = the raw FIM prompt of the model's family (fimTemplates.ts), no `suffix`,
 *   and the family's control tokens as `stop`. Works on any server that tokenises special tokens
 *   in the prompt (llama.cpp, vLLM, LM Studio do); wrong on Ollama /v1, which wraps a prompt
 *   without a suffix in the chat template.
 *
 * The provider's `fim` setting picks one; "auto" takes "suffix" where the server is known to apply
 * it, else "template" when the family is known, else refuses with a reason saying what to change.
 */
import type { ProviderConfig } from '../config';
import { FIM_FAMILY_NAMES, fimFamilyOf, renderFimPrompt, type FimFamily } from './fimTemplates';

/** Absent in the settings means "auto". */
export type FimMode = NonNullable<ProviderConfig['fim']>;

/** The /completions body fields of one FIM request. */
export interface FimWireRequest {
  via: 'suffix' | 'template';
  prompt: string;
  /** Only with via "suffix". */
  suffix?: string;
  /** The family's control tokens (template); empty with "suffix" (the server's template knows them). */
  stop: string[];
  family?: FimFamily;
}

export type FimPlan = { ok: true; request: FimWireRequest } | { ok: false; reason: string };

export interface FimPlanInput {
  mode: FimMode;
  /** The endpoint applies the model's template to `prompt` + `suffix` (vendors.ts `appliesSuffix`). */
  serverAppliesSuffix: boolean;
  model: string;
  prefix: string;
  suffix: string;
  /** Where the setting lives, for the reason: "switchyard.providers.lmstudio.fim". */
  settingName: string;
}

export function planFimRequest(input: FimPlanInput): FimPlan {
  const family = fimFamilyOf(input.model);
  if (input.mode === 'suffix' || (input.mode === 'auto' && input.serverAppliesSuffix)) {
    return { ok: true, request: { via: 'suffix', prompt: input.prefix, suffix: input.suffix, stop: [], ...(family ? { family } : {}) } };
  }
  if (!family) {
    const known = Object.values(FIM_FAMILY_NAMES).join(', ');
    const why = input.mode === 'template' ? `${input.settingName} is "template"` : 'this server is not known to apply `suffix`';
    return {
      ok: false,
      reason:
        `"${input.model}" has no known fill-in-the-middle template (known families: ${known}) and ${why}. ` +
        `Choose a coder model of a known family, or set ${input.settingName} to "suffix" if the server fills in the middle from \`suffix\`.`,
    };
  }
  const rendered = renderFimPrompt(family, { prefix: input.prefix, suffix: input.suffix });
  return { ok: true, request: { via: 'template', prompt: rendered.prompt, stop: rendered.stop, family } };
}
