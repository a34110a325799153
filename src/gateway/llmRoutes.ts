/**
 * The design note's API (requirements.md §5), mounted at /api/llm and /api/v1/llm, field by
 * field: POST /generate and /generate/stream, GET /models, /models/{id}/status, /health,
 * /stats/usage, /stats/performance, PUT /config/models/{id} and /config/load-balancing.
 * Model ids contain "/" ("ollama/qwen2.5-coder:7b"): the {id} routes take the rest of the path.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { formatModelRef } from '../core/types';
import { type AnswerShape, serveAnswer } from './answer';
import { type Outcome, openaiFinish } from './drive';
import { GatewayError, designEnvelope } from './errors';
import { gatewayText } from './messages';
import { generateBodySchema, parseBody, routeRequestFor, toMessages } from './requests';
import type { GatewayContext } from './server';
import { READ_ONLY_FIELDS, loadBalancingSchema, modelSettingsSchema } from './settings';
import { switchyardField } from './sse';

/** How long /health waits for one provider's listing before calling it unreachable. */
export const HEALTH_PROBE_TIMEOUT_MS = 2_000;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

const usageOf = (o: Outcome) => {
  const prompt = o.usage?.inputTokens ?? 0;
  const completion = o.usage?.outputTokens ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
};
const costOf = (o: Outcome) => ({ input_cost: o.inputCostUsd, output_cost: o.outputCostUsd, total_cost: o.costUsd, currency: 'USD' });

export function llmRoutes(ctx: GatewayContext): FastifyPluginAsync {
  return async (app) => {
    const generate = (forceStream: boolean) => async (request: FastifyRequest, reply: Parameters<typeof serveAnswer>[1]) => {
      const body = parseBody(generateBodySchema, request.body, ctx.locale);
      const id = `gen-${String(request.id).slice('req_'.length)}`;
      const p = body.parameters ?? {};
      const name = (o: Pick<Outcome, 'ref'>) => (o.ref ? formatModelRef(o.ref) : body.model);
      const shape: AnswerShape = {
        asked: body.model,
        stream: forceStream || p.stream === true,
        build: (resolved, signal) =>
          routeRequestFor(resolved, ctx.settings(), { messages: toMessages(body.messages), maxTokens: p.max_tokens, temperature: p.temperature, workspaceId: ctx.workspaceId, signal }),
        delta: (text, ref) => ({ id, model: ref ? formatModelRef(ref) : body.model, choices: [{ index: 0, delta: { content: text } }] }),
        final: (o) => [{ id, model: name(o), choices: [{ index: 0, delta: {}, finish_reason: openaiFinish(o.finish) }], usage: usageOf(o), cost: costOf(o), switchyard: switchyardField(o, String(request.id)) }],
        streamError: (err) => designEnvelope(err, String(request.id)),
        body: (o) => ({
          id,
          model: name(o),
          choices: [{ index: 0, message: { role: 'assistant', content: o.text }, finish_reason: openaiFinish(o.finish) }],
          usage: usageOf(o),
          cost: costOf(o),
          switchyard: switchyardField(o, String(request.id)),
        }),
      };
      return serveAnswer(ctx, reply, shape);
    };
    app.post('/generate', generate(false));
    app.post('/generate/stream', generate(true));

    app.get('/models', async () => {
      const listed = await ctx.catalogue.list();
      const settings = ctx.settings();
      return {
        models: listed.map((m) => {
          const id = formatModelRef(m.ref);
          const own = settings.models[id];
          return {
            id,
            name: m.ref.model,
            provider: m.ref.provider,
            type: m.locality,
            status: own?.enabled === false ? 'disabled' : 'available',
            capabilities: m.capabilities ?? ['chat'],
            limits: { max_tokens: own?.parameters?.max_tokens ?? null, context_window: m.contextWindow ?? null },
            pricing: ctx.catalogue.pricing(m),
          };
        }),
      };
    });

    app.get('/models/*', async (request) => {
      const rest = (request.params as { '*': string })['*'];
      if (!rest.endsWith('/status')) throw new GatewayError('INVALID_REQUEST', gatewayText(ctx.locale, 'notFound', 'GET', request.url.split('?')[0]!), { reason: 'no_route' }, 404);
      const id = rest.slice(0, -'/status'.length);
      const listed = await ctx.catalogue.list();
      const m = listed.find((x) => formatModelRef(x.ref) === id);
      if (!m) {
        const valid = await ctx.catalogue.validNames();
        throw new GatewayError('MODEL_NOT_FOUND', gatewayText(ctx.locale, 'modelNotFound', id, valid.join(', ')), { model: id, reason: 'unknown_model', valid_models: valid });
      }
      const seen = ctx.stats.model(id);
      const disabled = ctx.settings().models[id]?.enabled === false;
      const errorRate = seen && seen.requests > 0 ? seen.errors / seen.requests : 0;
      return {
        model_id: id,
        status: disabled ? 'disabled' : 'available',
        // Reachability for now (listed by its provider); the reliability layer's breaker state replaces it.
        health: errorRate > 0.5 ? 'degraded' : 'healthy',
        response_time_ms: seen?.last_response_time_ms ?? null,
        last_check: new Date(seen?.last_at ?? Date.now()).toISOString(),
        error_rate: errorRate,
      };
    });

    app.get('/health', async () => {
      const providers = ctx.core.answer.providerConfigs;
      const services: Record<string, string> = { gateway: 'up', ledger: ctx.core.ledger ? 'up' : 'off' };
      let available = 0;
      let unavailable = 0;
      await Promise.all(
        Object.entries(providers).map(async ([id, c]) => {
          const provider = ctx.core.answer.provider(id);
          if (c.enabled === false || !provider) {
            services[`provider:${id}`] = c.enabled === false ? 'disabled' : 'unavailable';
            return;
          }
          try {
            const models = await provider.listModels(AbortSignal.timeout(HEALTH_PROBE_TIMEOUT_MS));
            services[`provider:${id}`] = 'reachable';
            available += models.length;
          } catch {
            services[`provider:${id}`] = 'unreachable';
            unavailable++;
          }
        }),
      );
      const status = available > 0 ? (unavailable > 0 ? 'degraded' : 'healthy') : 'unhealthy';
      return { status, timestamp: new Date().toISOString(), services, models: { available, healthy: available, degraded: 0, unavailable } };
    });

    app.get('/stats/usage', async (request) => {
      const q = request.query as Record<string, string | undefined>;
      for (const k of ['start_date', 'end_date'] as const) {
        if (q[k] !== undefined && !DAY.test(q[k]!)) throw new GatewayError('INVALID_REQUEST', gatewayText(ctx.locale, 'invalidField', `${k}: write a day as YYYY-MM-DD`), { reason: 'invalid_field' });
      }
      const ledger = ctx.core.ledger;
      const report = ledger?.report('model', { from: q.start_date, to: q.end_date, model: q.model });
      const row = (r: { requests: number; inputTokens: number; outputTokens: number; costUsd: number }) => ({ requests: r.requests, tokens: r.inputTokens + r.outputTokens, input_tokens: r.inputTokens, output_tokens: r.outputTokens, cost: r.costUsd });
      return {
        start_date: q.start_date ?? null,
        end_date: q.end_date ?? null,
        model: q.model ?? null,
        currency: 'USD',
        totals: report ? row(report.total) : { requests: 0, tokens: 0, input_tokens: 0, output_tokens: 0, cost: 0 },
        by_model: Object.fromEntries((report?.rows ?? []).map((r) => [r.key, row(r)])),
      };
    });

    app.get('/stats/performance', async () => ctx.stats.snapshot());

    const refuseReadOnly = (body: unknown) => {
      if (body && typeof body === 'object') {
        const bad = Object.keys(body).find((k) => READ_ONLY_FIELDS.includes(k));
        if (bad) throw new GatewayError('INVALID_REQUEST', gatewayText(ctx.locale, 'configReadOnly', bad), { reason: 'read_only_field' });
      }
    };
    const persist = async (change: (g: Record<string, unknown>) => void) => {
      if (!ctx.settingsFile) throw new GatewayError('INVALID_REQUEST', gatewayText(ctx.locale, 'invalidField', 'this gateway was started without a settings file'), { reason: 'no_settings_file' });
      await ctx.settingsFile.update(change);
    };

    app.put('/config/models/*', async (request) => {
      const id = (request.params as { '*': string })['*'];
      refuseReadOnly(request.body);
      const config = parseBody(modelSettingsSchema, request.body, ctx.locale);
      try {
        await ctx.catalogue.resolve(id, ctx.locale);
      } catch (err) {
        // A disabled model can be configured (that is how it is turned back on).
        if (!(err instanceof GatewayError && err.details.reason === 'disabled')) throw err;
      }
      await persist((g) => {
        g.models = { ...((g.models as Record<string, unknown>) ?? {}), [id]: config };
      });
      const s = ctx.settings();
      ctx.setSettings({ ...s, models: { ...s.models, [id]: config } });
      return { model_id: id, config, applied: true, persisted: true };
    });

    app.put('/config/load-balancing', async (request) => {
      refuseReadOnly(request.body);
      const config = parseBody(loadBalancingSchema, request.body, ctx.locale);
      await persist((g) => {
        g.loadBalancing = config;
      });
      ctx.setSettings({ ...ctx.settings(), loadBalancing: config });
      return { config, applied: true, persisted: true };
    });
  };
}
