/**
 * The simple NPU inference service from the requirements (§1): `POST /api/npu/infer
 * {prompt, max_tokens, temperature}` → `{success, result, model}`, not streamed, plus
 * `GET /api/npu/health`. It requires `Authorization: Bearer <token>` like any local service of
 * ours should, and answers failures as `{success:false, error}`.
 *
 * Standalone: `npx tsx test/servers/npu.ts --port 8001 --token secret`
 */
import {
  type Chunking,
  type ErrorReply,
  type RecordedRequest,
  type ServerHandle,
  argFromArgv,
  portFromArgv,
  sendError,
  sendJson,
  startHttpServer,
  writeStream,
} from './http';

export interface NpuReply {
  result?: string;
  /** Send this instead (e.g. `{status: 500, body: {success: false, error: "NPU device busy"}}`). */
  error?: ErrorReply;
  /** Delay and framing of the one JSON body (split it to test reassembly, stall it to test cancel). */
  chunking?: Chunking;
}

export interface NpuServerOptions {
  /** Required bearer token; null turns the check off. Default "npu-token". */
  token?: string | null;
  /** Model name reported in every reply. */
  model?: string;
  reply?: NpuReply | ((rec: RecordedRequest) => NpuReply);
  /** Answer GET /api/npu/health with this failure instead (e.g. a service that quotes the request's token back). */
  healthError?: ErrorReply;
  port?: number;
}

export interface NpuServer extends ServerHandle {
  enqueue(reply: NpuReply): void;
  setReply(reply: NpuReply | ((rec: RecordedRequest) => NpuReply)): void;
}

const DEFAULT_MODEL = 'Qwen2-7B-NPU';
const DEFAULT_RESULT = 'Hello from the NPU.';

export async function startNpuServer(options: NpuServerOptions = {}): Promise<NpuServer> {
  const token = options.token === undefined ? 'npu-token' : options.token;
  const model = options.model ?? DEFAULT_MODEL;
  let reply = options.reply ?? {};
  const queue: NpuReply[] = [];

  const handle = await startHttpServer(async (req, res, rec) => {
    if (token !== null && req.headers.authorization !== `Bearer ${token}`) {
      return void sendJson(res, 401, { success: false, error: 'Unauthorized: missing or invalid token' });
    }
    if (rec.method === 'GET' && rec.path === '/api/npu/health') {
      if (options.healthError) return void sendError(res, options.healthError);
      return void sendJson(res, 200, { status: 'ok', model, device: 'NPU' });
    }
    if (rec.method === 'POST' && rec.path === '/api/npu/infer') {
      const body = rec.body;
      if (!body || typeof body.prompt !== 'string' || body.prompt === '') {
        return void sendJson(res, 400, { success: false, error: 'prompt is required' });
      }
      const plan = queue.shift() ?? (typeof reply === 'function' ? reply(rec) : reply);
      if (plan.error) return void sendError(res, plan.error);
      const text = JSON.stringify({ success: true, result: plan.result ?? DEFAULT_RESULT, model });
      await writeStream(res, rec, 200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)) }, [text], plan.chunking);
      return;
    }
    sendJson(res, 404, { success: false, error: `no route ${rec.method} ${rec.path}` });
  }, options.port);

  return Object.assign(handle, {
    enqueue: (r: NpuReply) => void queue.push(r),
    setReply: (r: NpuReply | ((rec: RecordedRequest) => NpuReply)) => {
      reply = r;
    },
  });
}

if (require.main === module) {
  const token = argFromArgv('token');
  void startNpuServer({ port: portFromArgv(), token: token === 'none' ? null : token, reply: argFromArgv('text') ? { result: argFromArgv('text') } : undefined }).then((s) => {
    console.log(s.url);
  });
}
