/**
 * The `switchyard.routing.*` settings of the strategies (strategy.ts), application scope like the
 * reliability ones. Lenient like src/core/config.ts: a bad value is named in a problem with its
 * full setting name and dropped, and its default (priority, weight 1, no fallbacks) stays in force.
 */
import { z } from 'zod/v3';

/** "provider/model", as in the task lists. */
const REF = /^[^/\s]+\/[^\s]+$/;

export const routingSettingsSchema = z.object({
  strategy: z.enum(['priority', 'round_robin', 'weighted']).default('priority'),
  weights: z.record(z.string().min(1), z.number().min(0).max(1_000_000)).default({}),
  fallbackModels: z.record(z.string().regex(REF, 'write "provider/model"'), z.array(z.string().regex(REF, 'write "provider/model"'))).default({}),
});

export type RoutingSettings = z.infer<typeof routingSettingsSchema>;

export const ROUTING_PREFIX = 'switchyard.routing';

export interface RoutingProblem {
  setting: string;
  message: string;
}

export function defaultRoutingSettings(): RoutingSettings {
  return routingSettingsSchema.parse({});
}

/** Never throws: each invalid value is named and removed, the rest is kept. */
export function parseRoutingSettings(raw: unknown): { settings: RoutingSettings; problems: RoutingProblem[] } {
  const problems: RoutingProblem[] = [];
  const isObject = raw !== null && typeof raw === 'object' && !Array.isArray(raw);
  if (raw !== undefined && raw !== null && !isObject) problems.push({ setting: ROUTING_PREFIX, message: 'expected an object; the defaults apply' });
  const input = (isObject ? structuredClone(raw) : {}) as Record<string, unknown>;
  // At most one problem per setting path: a bounded loop, each pass drops what it named.
  for (let pass = 0; pass < 100; pass++) {
    const result = routingSettingsSchema.safeParse(input);
    if (result.success) return { settings: result.data, problems };
    const issue = result.error.issues[0]!;
    const path = issue.path.map(String);
    problems.push({ setting: [ROUTING_PREFIX, ...path].join('.'), message: `${issue.message}; the default applies` });
    if (!dropPath(input, path.slice(0, 2))) return { settings: defaultRoutingSettings(), problems };
  }
  return { settings: defaultRoutingSettings(), problems };
}

/** Drops `strategy`, or one entry of weights / fallbackModels (a whole bad list, not just one item). */
function dropPath(root: Record<string, unknown>, path: string[]): boolean {
  const [top, entry] = path;
  if (top === undefined || !(top in root)) return false;
  const child = root[top];
  if (entry !== undefined && child && typeof child === 'object' && !Array.isArray(child) && entry in child) {
    delete (child as Record<string, unknown>)[entry];
    return true;
  }
  delete root[top];
  return true;
}
