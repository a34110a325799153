/**
 * The gateway's HTTP server (Fastify 5; why Fastify: bench/gateway-framework.ts): limits, the
 * security gate (security.ts), request ids, error shapes per API, one AbortSignal per request
 * from the socket's close down to the provider, and the two route sets (openaiRoutes.ts,
 * llmRoutes.ts). Plain TypeScript, no `vscode` import: the CLI's `serve` runs it, and later the
 * extension host can too.
 *
 *   const gw = await startGateway({ core, settings, token, tokenFile, port: 8000 });
 *   gw.url  // "http://127.0.0.1:8000"
 *   await gw.close();   // finishes in-flight requests for up to graceMs, then aborts them
 */
import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { Logger } from '../core/types';
import { silentLogger } from '../core/types';
import type { GatewayCore } from './core';
import { GatewayError, designEnvelope, errorHeaders, openaiEnvelope } from './errors';
import { llmRoutes } from './llmRoutes';
import { type GatewayLocale, gatewayText } from './messages';
import { ModelCatalogue } from './models';
import { openaiRoutes } from './openaiRoutes';
import { ModelLimiter } from './requests';
import { type GateOptions, OPEN_PATHS, checkHost, checkOrigin, checkToken, originAllowed } from './security';
import { type GatewaySettings, type SettingsFile } from './settings';
import { PerformanceStats } from './stats';

/** Defaults, each from where it comes. */
export const GATEWAY_DEFAULTS = {
  /** The design note's base URL (http://localhost:8000/api/llm). */
  port: 8000,
  host: '127.0.0.1',
  /** Issue 19: 4 MB, then 413. Chat prompts of a 1M-token context fit (about 4 bytes a token). */
  bodyLimitBytes: 4 * 1024 * 1024,
  /** Headers must arrive within this (Node's own default is 60 s, checked every 30 s: a slowloris client would hold a socket up to 90 s). */
  headersTimeoutMs: 10_000,
  /** The whole request body within this. */
  requestTimeoutMs: 30_000,
  /** A socket with no traffic either way for this long is closed. Longer than a cold local model's first token (Ollama loading a 7B model: ~20 s). */
  idleTimeoutMs: 120_000,
  /** Keep-alive between requests (Node's default). */
  keepAliveTimeoutMs: 5_000,
  /** Concurrent connections; each in-flight request holds a provider stream, and local models answer a handful at a time anyway. */
  maxConnections: 256,
  /** How long close() lets in-flight requests finish before aborting them. */
  graceMs: 5_000,
  /** The budget the gateway's requests spend from unless --workspace says otherwise. */
  workspaceId: 'gateway',
} as const;

export interface GatewayOptions {
  core: GatewayCore;
  settings: GatewaySettings;
  /** Where PUT /config/* persists; without it those routes answer INVALID_REQUEST. */
  settingsFile?: SettingsFile;
  token: string;
  tokenFile: string;
  host?: string;
  /** 0 picks a free port (tests). */
  port?: number;
  workspaceId?: string;
  locale?: GatewayLocale;
  logger?: Logger;
  limits?: Partial<Record<'bodyLimitBytes' | 'headersTimeoutMs' | 'requestTimeoutMs' | 'idleTimeoutMs' | 'keepAliveTimeoutMs' | 'maxConnections' | 'graceMs', number>>;
}

export interface Gateway {
  readonly url: string;
  readonly port: number;
  /** Requests being answered now (until the core has finished with each, budget settled). */
  inFlight(): number;
  /** Resolves when no request is in flight. */
  idle(): Promise<void>;
  /** A rotated token applies at once: the old one stops working. */
  setToken(token: string): void;
  close(graceMs?: number): Promise<void>;
}

/** What route modules get: everything they need, nothing of Fastify's internals. */
export interface GatewayContext {
  core: GatewayCore;
  catalogue: ModelCatalogue;
  settings(): GatewaySettings;
  setSettings(next: GatewaySettings): void;
  settingsFile?: SettingsFile;
  locale: GatewayLocale;
  workspaceId: string;
  stats: PerformanceStats;
  limiter: ModelLimiter;
  logger: Logger;
  /**
   * One request's work: `signal` is aborted when the client goes away (the socket closed before
   * the response ended) or the gateway stops; `done()` when the core has finished with it.
   */
  track(reply: FastifyReply): { signal: AbortSignal; done(): void };
}

type Api = 'openai' | 'design';
const apiOf = (url: string): Api => (url.startsWith('/v1/') || url === '/v1' ? 'openai' : 'design');

export function sendError(reply: FastifyReply, err: GatewayError): FastifyReply {
  const id = String(reply.request.id);
  const body = apiOf(reply.request.url) === 'openai' ? openaiEnvelope(err, id) : designEnvelope(err, id);
  return reply.code(err.status).headers(errorHeaders(err)).type('application/json; charset=utf-8').send(body);
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const limits: Record<keyof NonNullable<GatewayOptions['limits']>, number> = { ...GATEWAY_DEFAULTS, ...options.limits };
  const locale = options.locale ?? 'en';
  const logger = options.logger ?? silentLogger;
  const host = options.host ?? GATEWAY_DEFAULTS.host;
  let token = options.token;
  let settings = options.settings;
  let port = 0;
  let closing = false;
  const inflight = new Set<AbortController>();
  /** Told when the last in-flight request has ended (close() waits on it). */
  let drainWaiters: (() => void)[] = [];

  const app: FastifyInstance = Fastify({
    logger: false,
    bodyLimit: limits.bodyLimitBytes,
    connectionTimeout: limits.idleTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    // Node checks the header and request timeouts on this interval (default 30 s, which would let a slow client hold a socket three times longer than headersTimeout).
    http: { headersTimeout: limits.headersTimeoutMs, connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs) },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    genReqId: () => `req_${randomBytes(9).toString('base64url')}`,
  });
  app.server.maxConnections = limits.maxConnections;
  // A text/plain body is not a request either API takes: 415, not a string the schemas would half-read.
  app.removeContentTypeParser('text/plain');

  const gate: GateOptions = {
    port: () => port,
    boundHost: host === '0.0.0.0' || host === '::' ? undefined : host,
    allowedOrigins: () => settings.allowedOrigins,
    token: () => token,
    tokenFile: options.tokenFile,
    locale,
  };

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', String(request.id));
    const origin = typeof request.headers.origin === 'string' ? request.headers.origin : undefined;
    checkHost(request.headers.host, gate);
    checkOrigin(origin, gate);
    if (origin !== undefined && originAllowed(origin, gate)) {
      reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
      if (request.method === 'OPTIONS') {
        return reply
          .code(204)
          .header('access-control-allow-methods', 'GET, POST, PUT, OPTIONS')
          .header('access-control-allow-headers', 'authorization, x-api-key, content-type')
          .header('access-control-max-age', '600')
          .send();
      }
    }
    const path = request.url.split('?')[0]!;
    if (!OPEN_PATHS.has(path)) checkToken(request.headers, gate);
    return undefined;
  });

  app.setErrorHandler((error: Error & { code?: string; statusCode?: number }, _request, reply) => {
    if (error instanceof GatewayError) return sendError(reply, error);
    // Fastify's own refusals, in the gateway's words (never its raw message, which may quote input).
    switch (error.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return sendError(reply, new GatewayError('INVALID_REQUEST', gatewayText(locale, 'bodyTooLarge', limits.bodyLimitBytes), { reason: 'body_too_large' }, 413));
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return sendError(reply, new GatewayError('INVALID_REQUEST', gatewayText(locale, 'emptyBody'), { reason: 'empty_body' }));
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return sendError(reply, new GatewayError('INVALID_REQUEST', gatewayText(locale, 'unsupportedMediaType'), { reason: 'unsupported_media_type' }, 415));
    }
    if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
      // The parser's message can quote the body (a pasted key, say): only where it broke is said.
      const at = /position (\d+)/.exec(error.message)?.[1];
      return sendError(reply, new GatewayError('INVALID_REQUEST', gatewayText(locale, 'malformedJson', at !== undefined ? `position ${at}` : 'unexpected end or token'), { reason: 'malformed_json' }));
    }
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return sendError(reply, new GatewayError('INVALID_REQUEST', gatewayText(locale, 'invalidField', error.message), { reason: 'bad_request' }, error.statusCode));
    }
    logger.error('gateway.internal_error', { message: error.message });
    return sendError(reply, new GatewayError('INTERNAL_ERROR', gatewayText(locale, 'internal', error.message), { reason: 'internal' }));
  });

  app.setNotFoundHandler((request, reply) =>
    sendError(reply, new GatewayError('INVALID_REQUEST', gatewayText(locale, 'notFound', request.method, request.url.split('?')[0]!), { reason: 'no_route' }, 404)),
  );

  const ctx: GatewayContext = {
    core: options.core,
    catalogue: new ModelCatalogue(options.core.answer, options.core.config, () => settings),
    settings: () => settings,
    setSettings: (next) => {
      settings = next;
    },
    settingsFile: options.settingsFile,
    locale,
    workspaceId: options.workspaceId ?? GATEWAY_DEFAULTS.workspaceId,
    stats: new PerformanceStats(),
    limiter: new ModelLimiter(),
    logger,
    track(reply) {
      const controller = new AbortController();
      if (closing) controller.abort();
      inflight.add(controller);
      // The response's close before its end is the client going away: abort the upstream at once.
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) controller.abort();
      });
      let ended = false;
      return {
        signal: controller.signal,
        // The request's work (the router, the budget's settlement) is over: only now is it out of flight.
        done() {
          if (ended) return;
          ended = true;
          inflight.delete(controller);
          if (inflight.size === 0) {
            for (const w of drainWaiters) w();
            drainWaiters = [];
          }
        },
      };
    },
  };

  await app.register(openaiRoutes(ctx), { prefix: '/v1' });
  await app.register(llmRoutes(ctx), { prefix: '/api/llm' });
  await app.register(llmRoutes(ctx), { prefix: '/api/v1/llm' });
  app.get('/health', async () => ({ status: 'ok', timestamp: new Date().toISOString() }));

  await app.listen({ port: options.port ?? GATEWAY_DEFAULTS.port, host });
  port = (app.server.address() as { port: number }).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${shownHost}:${port}`,
    port,
    inFlight: () => inflight.size,
    idle: () => (inflight.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => drainWaiters.push(resolve))),
    setToken(next) {
      token = next;
    },
    async close(graceMs = limits.graceMs) {
      closing = true;
      const closed = app.close();
      if (inflight.size > 0) {
        let timer: NodeJS.Timeout | undefined;
        const drained = new Promise<void>((resolve) => drainWaiters.push(resolve));
        const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
        await Promise.race([drained, grace]);
        clearTimeout(timer);
        for (const c of inflight) c.abort();
      }
      await closed;
    },
  };
}
