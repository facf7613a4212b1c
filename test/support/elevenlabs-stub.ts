import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { VARIANT_STYLES } from '../../src/generation/prompt';
import { encodeMp3 } from '../../src/generation/providers/synth-provider';

/** What the stub does with one request. */
export type StubReply =
  | { kind: 'ok'; latencyMs?: number }
  | { kind: 'status'; status: number; body: unknown; headers?: Record<string, string>; latencyMs?: number }
  | { kind: 'reset'; afterMs?: number }
  | { kind: 'hang'; ms: number };

export interface StubCall {
  prompt: string;
  /** `composition_plan`, as sent (snake_case), when the call sends a plan instead of a prompt. */
  compositionPlan: unknown;
  musicLengthMs: number;
  modelId: string;
  outputFormat: string | null;
  apiKey: string | undefined;
  reply: StubReply['kind'];
  status?: number;
}

/**
 * Whom a call is for, read from its prompt (src/generation/prompt.ts): the
 * recipient's name and the variant (by its arrangement). Variants of one order
 * run in parallel, so a test scripts replies per variant, not per call order.
 */
export function callTarget(call: Pick<StubCall, 'prompt'>): { recipient: string; variant: number } {
  const recipient = /written for ([^;]+);/.exec(call.prompt)?.[1] ?? '';
  return { recipient, variant: VARIANT_STYLES.findIndex((s) => call.prompt.includes(s.direction)) + 1 };
}

/** The error bodies ElevenLabs sends, in both of its shapes. */
export const ELEVENLABS_ERRORS = {
  concurrentLimit: (retryAfterS?: number): StubReply => ({
    kind: 'status',
    status: 429,
    body: { detail: { status: 'concurrent_limit_exceeded', message: 'Too many concurrent requests. Your plan allows 2.' } },
    headers: {
      'current-concurrent-requests': '3',
      'maximum-concurrent-requests': '2',
      ...(retryAfterS !== undefined && { 'retry-after': String(retryAfterS) }),
    },
  }),
  rateLimit: (): StubReply => ({ kind: 'status', status: 429, body: { detail: { status: 'rate_limit_exceeded', message: 'Rate limit exceeded.' } } }),
  /** 400 `bad_prompt` with `data.prompt_suggestion`; `null`: without one (ElevenLabs gives none for harmful material). */
  badPrompt: (suggestion: string | null = 'An upbeat indie pop song about learning to surf'): StubReply => ({
    kind: 'status',
    status: 400,
    body: {
      detail: {
        status: 'bad_prompt',
        message: 'The prompt references a copyrighted artist.',
        ...(suggestion !== null && { data: { prompt_suggestion: suggestion } }),
      },
    },
  }),
  /** 400 `bad_composition_plan` with `data.composition_plan_suggestion` (ElevenLabs makes a plan from every prompt). */
  badCompositionPlan: (suggestion: Record<string, unknown>): StubReply => ({
    kind: 'status',
    status: 400,
    body: {
      detail: {
        status: 'bad_composition_plan',
        message: 'The composition plan references a copyrighted artist.',
        data: { composition_plan_suggestion: suggestion },
      },
    },
  }),
  validation: (): StubReply => ({
    kind: 'status',
    status: 422,
    body: { detail: [{ loc: ['body', 'music_length_ms'], msg: 'Input should be less than or equal to 600000', type: 'less_than_equal' }] },
  }),
  quotaExceeded: (): StubReply => ({
    kind: 'status',
    status: 401,
    body: { detail: { status: 'quota_exceeded', message: 'This request exceeds your quota of 100000.' } },
  }),
  invalidKey: (): StubReply => ({ kind: 'status', status: 401, body: { detail: { status: 'invalid_api_key', message: 'Invalid API key' } } }),
  serverError: (status = 500): StubReply => ({ kind: 'status', status, body: { detail: { status: 'internal_error', message: 'Something went wrong' } } }),
  newShape: (): StubReply => ({
    kind: 'status',
    status: 429,
    body: { detail: { type: 'rate_limit_error', code: 'concurrent_limit_exceeded', message: 'Too many concurrent requests', request_id: 'req_abc123' } },
    headers: { 'retry-after': '2' },
  }),
};

/**
 * A local HTTP stand-in for the ElevenLabs Music API (`POST /v1/music`),
 * speaking its wire format: JSON request (`prompt`, `music_length_ms`,
 * `model_id`), `output_format` query, `xi-api-key` header; MP3 bytes with a
 * `song-id` header, or ElevenLabs' error bodies. It checks that the configured
 * model and output format are sent (422 otherwise, never a song). Scriptable
 * per call, and it measures the calls in flight (max and time-weighted mean).
 */
export async function startElevenLabsStub(
  options: {
    latencyMs?: number;
    script?: (call: StubCall, n: number) => StubReply;
    /** The model and output format every call must send (default: this app's defaults); others get a 422, as an unknown value would. */
    expect?: { modelId: string; outputFormat: string };
  } = {},
) {
  const expected = options.expect ?? { modelId: 'music_v2_5', outputFormat: 'mp3_44100_128' };
  const mp3 = Buffer.from(
    encodeMp3(
      new Int16Array(22050 * 2).map((_, i) => Math.round(8000 * Math.sin(i / 10))),
      22050,
    ),
  );
  const calls: StubCall[] = [];
  let script = options.script ?? (() => ({ kind: 'ok' }) as StubReply);
  let inFlight = 0;
  let maxInFlight = 0;
  let area = 0; // ∫ inFlight dt, ms
  let last = 0;
  let busySince: number | undefined;
  let busyTotal = 0;
  const tick = (delta: number) => {
    const now = performance.now();
    if (last) area += inFlight * (now - last);
    if (inFlight === 0 && delta > 0) busySince = now;
    inFlight += delta;
    if (inFlight === 0 && busySince !== undefined) {
      busyTotal += now - busySince;
      busySince = undefined;
    }
    last = now;
    maxInFlight = Math.max(maxInFlight, inFlight);
  };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const url = new URL(req.url!, 'http://stub');
      if (req.method !== 'POST' || url.pathname !== '/v1/music') {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ detail: { status: 'not_found', message: 'no such route' } }));
        return;
      }
      const json = JSON.parse(body || '{}') as Record<string, unknown>;
      const call: StubCall = {
        prompt: String(json.prompt ?? ''),
        compositionPlan: json.composition_plan ?? null,
        musicLengthMs: Number(json.music_length_ms),
        modelId: String(json.model_id),
        outputFormat: url.searchParams.get('output_format'),
        apiKey: req.headers['xi-api-key'] as string | undefined,
        reply: 'ok',
      };
      const wrongConfig = call.modelId !== expected.modelId || call.outputFormat !== expected.outputFormat;
      const reply: StubReply = wrongConfig
        ? {
            kind: 'status',
            status: 422,
            body: {
              detail: [
                { loc: ['body', 'model_id'], msg: `expected model_id ${expected.modelId} and output_format ${expected.outputFormat}`, type: 'value_error' },
              ],
            },
          }
        : script(call, calls.length + 1);
      call.reply = reply.kind;
      calls.push(call);
      tick(+1);
      let done = false;
      const finish = () => {
        if (!done) {
          done = true;
          tick(-1);
        }
      };
      res.on('close', finish);
      const latency = reply.kind === 'hang' ? reply.ms : reply.kind === 'reset' ? (reply.afterMs ?? 0) : (reply.latencyMs ?? options.latencyMs ?? 0);
      setTimeout(() => {
        if (res.destroyed) return finish();
        if (reply.kind === 'reset') {
          req.socket.destroy();
          return finish();
        }
        if (reply.kind === 'status') {
          call.status = reply.status;
          res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
          res.end(JSON.stringify(reply.body));
          return;
        }
        call.status = 200;
        res.writeHead(200, { 'content-type': 'audio/mpeg', 'song-id': `song_${randomBytes(6).toString('hex')}` });
        res.end(mp3);
      }, latency);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    mp3,
    setScript(next: (call: StubCall, n: number) => StubReply) {
      script = next;
    },
    /** Calls in flight: the most at once, and the mean while at least one was in flight. */
    concurrency() {
      tick(0);
      const busy = busyTotal + (busySince !== undefined ? performance.now() - busySince : 0);
      return { max: maxInFlight, meanWhileBusy: busy ? area / busy : 0, current: inFlight };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
