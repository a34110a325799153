/**
 * OpenAI-compatible routes under /v1, shaped like OpenAI's own so that the openai SDK, Continue,
 * Cline, Aider and LangChain work unchanged:
 *
 *   POST /v1/chat/completions   streaming (SSE, [DONE], stream_options.include_usage) or not
 *   POST /v1/completions        prompt + suffix (fill-in-the-middle) through the providers' FIM
 *                               templates, the same path as inline completion (RouteRequest.fim)
 *   GET  /v1/models             the virtual models, the aliases, every enabled provider/model
 *
 * `model` in a response is the model that answered ("ollama/qwen2.5-coder:7b"), never the alias.
 */
import type { FastifyPluginAsync } from 'fastify';
import { formatModelRef } from '../core/types';
import { FimControlFilter, stripFimControl } from '../core/completion/fimTemplates';
import { type AnswerShape, serveAnswer } from './answer';
import { type Outcome, openaiFinish } from './drive';
import { openaiEnvelope } from './errors';
import { VIRTUAL_MODELS } from './models';
import { chatBodySchema, completionBodySchema, parseBody, routeRequestFor, toMessages } from './requests';
import type { GatewayContext } from './server';
import { switchyardField } from './sse';

const created = () => Math.floor(Date.now() / 1000);
const modelName = (o: Pick<Outcome, 'ref'>, asked: string) => (o.ref ? formatModelRef(o.ref) : asked);
const usageOf = (o: Outcome) => {
  const prompt = o.usage?.inputTokens ?? 0;
  const completion = o.usage?.outputTokens ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
};

export function openaiRoutes(ctx: GatewayContext): FastifyPluginAsync {
  return async (app) => {
    app.post('/chat/completions', async (request, reply) => {
      const body = parseBody(chatBodySchema, request.body, ctx.locale);
      const id = `chatcmpl-${String(request.id).slice('req_'.length)}`;
      const t = created();
      const includeUsage = body.stream_options?.include_usage === true;
      const chunk = (model: string, choice: Record<string, unknown>) => ({ id, object: 'chat.completion.chunk', created: t, model, choices: [{ index: 0, logprobs: null, ...choice }] });
      const shape: AnswerShape = {
        asked: body.model,
        stream: body.stream === true,
        build: (resolved, signal) =>
          routeRequestFor(resolved, ctx.settings(), {
            messages: toMessages(body.messages),
            maxTokens: body.max_completion_tokens ?? body.max_tokens,
            temperature: body.temperature,
            workspaceId: ctx.workspaceId,
            signal,
          }),
        first: (ref) => chunk(formatModelRef(ref), { delta: { role: 'assistant', content: '' }, finish_reason: null }),
        delta: (text, ref) => chunk(ref ? formatModelRef(ref) : body.model, { delta: { content: text }, finish_reason: null }),
        final: (o) => {
          const events: unknown[] = [{ ...chunk(modelName(o, body.model), { delta: {}, finish_reason: openaiFinish(o.finish) }), switchyard: switchyardField(o, String(request.id)) }];
          if (includeUsage) events.push({ id, object: 'chat.completion.chunk', created: t, model: modelName(o, body.model), choices: [], usage: usageOf(o) });
          return events;
        },
        streamError: (err) => openaiEnvelope(err, String(request.id)),
        body: (o) => ({
          id,
          object: 'chat.completion',
          created: t,
          model: modelName(o, body.model),
          choices: [{ index: 0, message: { role: 'assistant', content: o.text, refusal: null }, logprobs: null, finish_reason: openaiFinish(o.finish) }],
          usage: usageOf(o),
          switchyard: switchyardField(o, String(request.id)),
        }),
      };
      return serveAnswer(ctx, reply, shape);
    });

    app.post('/completions', async (request, reply) => {
      const body = parseBody(completionBodySchema, request.body, ctx.locale);
      const prompt = Array.isArray(body.prompt) ? body.prompt[0]! : body.prompt;
      const suffix = body.suffix ?? '';
      const id = `cmpl-${String(request.id).slice('req_'.length)}`;
      const t = created();
      const includeUsage = body.stream_options?.include_usage === true;
      const chunk = (model: string, text: string, finish: string | null) => ({ id, object: 'text_completion', created: t, model, choices: [{ index: 0, text, logprobs: null, finish_reason: finish }] });
      // Streamed too, a model's echoed FIM control tokens never reach the editor (inline completion's filter).
      const filter = new FimControlFilter();
      const shape: AnswerShape = {
        asked: body.model,
        stream: body.stream === true,
        build: (resolved, signal) =>
          routeRequestFor(resolved, ctx.settings(), {
            // The messages are what the router classifies and sizes; the provider sends prefix and suffix.
            messages: [{ role: 'user', content: prompt + suffix }],
            fim: { prefix: prompt, suffix },
            maxTokens: body.max_tokens,
            temperature: body.temperature,
            workspaceId: ctx.workspaceId,
            signal,
          }),
        delta: (text, ref) => {
          const clean = filter.push(text);
          return clean ? chunk(ref ? formatModelRef(ref) : body.model, clean, null) : undefined;
        },
        final: (o) => {
          const events: unknown[] = [{ ...chunk(modelName(o, body.model), filter.flush(), openaiFinish(o.finish)), switchyard: switchyardField(o, String(request.id)) }];
          if (includeUsage) events.push({ id, object: 'text_completion', created: t, model: modelName(o, body.model), choices: [], usage: usageOf(o) });
          return events;
        },
        streamError: (err) => openaiEnvelope(err, String(request.id)),
        body: (o) => ({
          id,
          object: 'text_completion',
          created: t,
          model: modelName(o, body.model),
          // A model that echoes its template's control tokens must not put them in the editor (same filter as inline completion).
          choices: [{ index: 0, text: stripFimControl(o.text).text, logprobs: null, finish_reason: openaiFinish(o.finish) }],
          usage: usageOf(o),
          switchyard: switchyardField(o, String(request.id)),
        }),
      };
      return serveAnswer(ctx, reply, shape);
    });

    app.get('/models', async () => {
      const listed = await ctx.catalogue.list();
      const settings = ctx.settings();
      const enabled = listed.filter((m) => settings.models[formatModelRef(m.ref)]?.enabled !== false);
      return {
        object: 'list',
        data: [
          ...VIRTUAL_MODELS.map((id) => ({ id, object: 'model', created: 0, owned_by: 'switchyard' })),
          ...Object.keys(settings.aliases).map((id) => ({ id, object: 'model', created: 0, owned_by: 'switchyard-alias' })),
          ...enabled.map((m) => ({ id: formatModelRef(m.ref), object: 'model', created: 0, owned_by: m.ref.provider })),
        ],
      };
    });
  };
}
