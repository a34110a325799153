/**
 * The gateway's own settings: the `gateway` object of the settings file (the same file as the
 * CLI's; parseConfig ignores the key), validated with zod:
 *
 *   "gateway": {
 *     "aliases": { "gpt-4": "auto", "gemini-pro": "gemini/gemini-2.0-flash" },
 *     "allowedOrigins": ["http://localhost:3000"],     // browser pages allowed to call (CORS on for these only)
 *     "models": { "ollama/qwen2.5-coder:7b": { PUT /config/models/{id} body } },
 *     "loadBalancing": { PUT /config/load-balancing body }
 *   }
 *
 * PUT /config/* validates with the same schemas, writes the file (the rest of it untouched) and
 * applies at once. Endpoints and keys are not in these schemas, and the schemas are strict: a
 * body that names baseUrl or apiKey is refused, so the API can never change where requests go.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod/v3';

/** Names that can never be set through the API (checked before the schema, for a clear refusal). */
export const READ_ONLY_FIELDS = ['baseUrl', 'base_url', 'endpoint', 'url', 'apiKey', 'api_key', 'apiKeyEnv', 'key', 'token', 'providers'];

/** An object that refuses unknown fields (an endpoint or key smuggled into a PUT body). */
const strict = <T extends z.ZodRawShape>(shape: T) => z.object(shape).strict();

export const modelSettingsSchema = strict({
  enabled: z.boolean().optional(),
  priority: z.number().int().min(0).max(1000).optional(),
  rate_limit: strict({ requests_per_minute: z.number().int().positive().optional(), tokens_per_minute: z.number().int().positive().optional() }).optional(),
  fallback_models: z.array(z.string().min(1).max(200)).max(20).optional(),
  parameters: strict({ default_temperature: z.number().min(0).max(2).optional(), max_tokens: z.number().int().positive().max(1_000_000).optional() }).optional(),
});
export type ModelSettings = z.infer<typeof modelSettingsSchema>;

export const loadBalancingSchema = strict({
  strategy: z.enum(['local_first', 'round_robin', 'weighted', 'least_latency', 'priority']).optional(),
  health_check_interval: z.number().int().positive().optional(),
  failure_threshold: z.number().int().positive().optional(),
  recovery_threshold: z.number().int().positive().optional(),
  weights: z.record(z.string(), z.number().min(0)).optional(),
});
export type LoadBalancing = z.infer<typeof loadBalancingSchema>;

export const gatewaySettingsSchema = z.object({
  aliases: z.record(z.string(), z.string().min(1)).default({}),
  allowedOrigins: z.array(z.string()).default([]),
  models: z.record(z.string(), modelSettingsSchema).default({}),
  loadBalancing: loadBalancingSchema.default({}),
});
export type GatewaySettings = z.infer<typeof gatewaySettingsSchema>;

/** The gateway section of a settings object; a section that cannot be read is an error that names it. */
export function parseGatewaySettings(raw: unknown): GatewaySettings {
  const section = raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>).gateway : undefined;
  const result = gatewaySettingsSchema.safeParse(section ?? {});
  if (!result.success) throw new Error(`settings "gateway": ${result.error.issues.map((i) => `${i.path.join('.') || '(section)'}: ${i.message}`).join('; ')}`);
  return result.data;
}

/**
 * Where PUT /config/* writes: the settings file, read again at write time so an edit made by
 * hand since the start is kept, then replaced atomically (write a temporary file, rename).
 * Writes are serialised within the process.
 */
export class SettingsFile {
  private queue: Promise<unknown> = Promise.resolve();
  constructor(readonly file: string) {}

  update(change: (gateway: Record<string, unknown>) => void): Promise<void> {
    const run = this.queue.then(async () => {
      let raw: Record<string, unknown> = {};
      try {
        raw = JSON.parse(await fs.readFile(this.file, 'utf8')) as Record<string, unknown>;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      const gateway = (raw.gateway && typeof raw.gateway === 'object' ? raw.gateway : {}) as Record<string, unknown>;
      change(gateway);
      raw.gateway = gateway;
      await fs.mkdir(path.dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${randomBytes(4).toString('hex')}.tmp`;
      await fs.writeFile(tmp, JSON.stringify(raw, null, 2) + '\n', { mode: 0o600 });
      await fs.rename(tmp, this.file);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}
