/**
 * A protocol-faithful OpenAI-compatible server (SSE chat completions, legacy /completions with
 * `suffix`, /models), parameterised by the quirks of each vendor as documented in
 * /work/shared/docs/provider-wire-reference.md §1 (Ollama /v1), §4 OpenAI, §5 Groq, §6 Gemini,
 * §7 DashScope, §8 Zhipu.
 *
 * Layout: compatible/server.ts is the common server (routes, auth, scripted replies, spells),
 * compatible/completion.ts the completions, compatible/quota.ts the scripted quotas and their
 * x-ratelimit-* headers; vendors/<vendor>.ts holds one vendor's quirks and error bodies. This
 * file picks a vendor by name. The demo imports the common server and vendors/custom.ts only,
 * so dist/demo.js does not carry the other vendors.
 *
 * Standalone (the re-export in test/servers/): `npx tsx test/servers/openaiCompatible.ts --port 8080 --vendor groq --key gsk_test`
 * prints the base URL to use.
 */
import type http from 'node:http';
import type { ErrorReply, RecordedRequest } from './http';
import { type ChatReply, type OpenAICompatibleServer, type OpenAICompatibleServerOptions, type SuffixSupport, handleCompatibleRoute, startCompatibleServer } from './compatible/server';
import type { ErrorContext, ErrorPreset, VendorName } from './compatible/vendor';
import { VENDORS } from './vendors';

export type { ChatReply, OpenAICompatibleServer, OpenAICompatibleServerOptions, Spell, SuffixSupport } from './compatible/server';
export type { ErrorContext, ErrorPreset, QuotaWindow, VendorDouble, VendorName } from './compatible/vendor';
export { ScriptedQuota, formatGoDuration, type Clock, type QuotaLimits } from './compatible/quota';
export { VENDORS };

export async function startOpenAICompatibleServer(options: OpenAICompatibleServerOptions = {}): Promise<OpenAICompatibleServer> {
  return startCompatibleServer(VENDORS[options.vendor ?? 'openai'], options);
}

export interface OpenAIRouteContext {
  vendor: VendorName;
  apiKey: string | null;
  models: string[];
  nextReply(): ChatReply;
  pathPrefix: string;
  /** Default "honoured". */
  suffix?: SuffixSupport;
}

/** Serves one OpenAI-compatible request as `ctx.vendor` would. Returns false when the path is not an OpenAI route. */
export function handleOpenAIRoute(req: http.IncomingMessage, res: http.ServerResponse, rec: RecordedRequest, ctx: OpenAIRouteContext): Promise<boolean> {
  return handleCompatibleRoute(req, res, rec, { ...ctx, vendor: VENDORS[ctx.vendor] });
}

/**
 * Each vendor's real error reply for a situation. Bodies follow the wire reference; where a vendor
 * has no such error (e.g. Gemini has no "missing_auth" distinct from "auth"), the nearest one is used.
 */
export function vendorError(vendor: VendorName, preset: ErrorPreset, ctx: ErrorContext = {}): ErrorReply {
  return VENDORS[vendor].error(preset, ctx);
}
