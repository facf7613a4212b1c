import { ElevenLabsError, ElevenLabsTimeoutError } from '@elevenlabs/elevenlabs-js';
import { PermanentProviderError, ProviderAccountError, type ProviderDetail, type ProviderError, RateLimitedError, RetryableProviderError } from '@/errors';

/**
 * Reads ElevenLabs' error body in both shapes it uses (a rejected prompt's
 * `data.prompt_suggestion`, a rejected plan's `data.composition_plan_suggestion`:
 * https://elevenlabs.io/docs/cookbooks/music/quickstart "Copyrighted material"):
 * `{"detail": {"status": "...", "message": "...", "data": {...}}}` and the newer
 * `{"detail": {"type": "...", "code": "...", "message": "...", "request_id": "..."}}`
 * (and a plain string `detail` from FastAPI validation).
 */
export function readDetail(body: unknown): ProviderDetail {
  const detail = (body as { detail?: unknown } | undefined)?.detail;
  if (typeof detail === 'string') return { message: detail };
  if (Array.isArray(detail)) return { status: 'validation_error', message: detail.map((d) => (d as { msg?: string }).msg ?? JSON.stringify(d)).join('; ') };
  if (!detail || typeof detail !== 'object') return {};
  const d = detail as Record<string, unknown>;
  const data = (d.data ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const obj = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
  return Object.fromEntries(
    Object.entries({
      status: str(d.status) ?? str(d.type),
      code: str(d.code),
      message: str(d.message),
      requestId: str(d.request_id),
      promptSuggestion: str(data.prompt_suggestion) ?? str(d.prompt_suggestion),
      compositionPlanSuggestion: obj(data.composition_plan_suggestion) ?? obj(d.composition_plan_suggestion),
    }).filter(([, v]) => v !== undefined),
  ) as ProviderDetail;
}

/** `Retry-After` as ms: delta-seconds or an HTTP date (RFC 9110 §10.2.3); undefined if absent or bad. */
export function retryAfterMs(header: string | null | undefined, nowMs = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/** True when the error chain shows the connection never opened (the request cannot have been charged). */
function neverSent(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (NOT_SENT_CODES.has((e as { code?: string }).code ?? '')) return true;
  }
  return false;
}

const ACCOUNT_STATUSES = new Set(['quota_exceeded', 'invalid_api_key', 'missing_permissions', 'payment_required', 'account_suspended']);

function withDetail<E extends ProviderError>(err: E, detail: ProviderDetail, outcomeUnknown = false): E {
  err.detail = detail;
  err.outcomeUnknown = outcomeUnknown;
  return err;
}

/**
 * Classifies anything the ElevenLabs SDK (or the network under it) throws:
 *
 * | what | class | policy |
 * |---|---|---|
 * | 429 (`concurrent_limit_exceeded`, `rate_limit_exceeded`, …) | RateLimitedError | wait `Retry-After`, else back off |
 * | 401, 402, 403, `quota_exceeded` | ProviderAccountError | fail the variant, pause all generation |
 * | 400, 422 (`bad_prompt`, validation), other 4xx | PermanentProviderError | fail at once, keep `prompt_suggestion` |
 * | 5xx, 408, 409, 425 | RetryableProviderError | back off with full jitter |
 * | 502/504, timeout or reset after sending | RetryableProviderError, outcome unknown | back off; the call counts as paid |
 * | connection refused, DNS failure | RetryableProviderError | back off; nothing was sent |
 *
 * The provider's status, body and detail are kept on the error.
 */
export function classifyElevenLabsError(err: unknown): ProviderError {
  if (err instanceof ElevenLabsTimeoutError) {
    return withDetail(new RetryableProviderError(`ElevenLabs call timed out: ${err.message}`), {}, true);
  }
  if (err instanceof ElevenLabsError && err.statusCode !== undefined) {
    const status = err.statusCode;
    const detail = readDetail(err.body);
    const text = `ElevenLabs ${status}${detail.status ? ` ${detail.status}` : ''}: ${detail.message ?? err.message}`;
    const headers = (err.rawResponse as { headers?: Headers } | undefined)?.headers;
    if (status === 429) {
      return withDetail(new RateLimitedError(text, retryAfterMs(headers?.get('retry-after')), 429, err.body), detail);
    }
    if (status === 401 || status === 403 || ACCOUNT_STATUSES.has(detail.status ?? '') || ACCOUNT_STATUSES.has(detail.code ?? '')) {
      return withDetail(new ProviderAccountError(text, status, err.body), detail);
    }
    if (status === 402) return withDetail(new ProviderAccountError(text, status, err.body), detail);
    // A gateway that timed out or failed upstream may have let the request through: probably charged.
    if (status === 502 || status === 504) return withDetail(new RetryableProviderError(text, status, err.body), detail, true);
    if (status >= 500 || [408, 409, 425].includes(status)) return withDetail(new RetryableProviderError(text, status, err.body), detail);
    return withDetail(new PermanentProviderError(text, status, err.body), detail);
  }
  // No status: the connection failed. If it never opened, nothing was sent;
  // otherwise (reset, abort mid-flight) whether ElevenLabs got it is unknown.
  const message = err instanceof Error ? `${err.message}${err.cause instanceof Error ? ` (${err.cause.message})` : ''}` : String(err);
  return withDetail(new RetryableProviderError(`ElevenLabs unreachable: ${message}`), {}, !neverSent(err));
}
