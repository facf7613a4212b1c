/**
 * The small set of typed errors the app uses. Each carries its HTTP meaning
 * (routes map them in src/app/http.ts) or its retry meaning (the generation
 * workflow reads `retryable`).
 */

/** 404. Also used for "exists but is not yours", so the two are indistinguishable. */
export class NotFoundError extends Error {
  override name = 'NotFoundError';
  readonly status = 404;
}

/** 400 with per-field messages, e.g. `{ occasionDate: ['Invalid date'] }`. */
export class ValidationError extends Error {
  override name = 'ValidationError';
  readonly status = 400;
  constructor(message: string, readonly fieldErrors: Record<string, string[]> = {}) {
    super(message);
  }
}

/** 401. `message` says why (missing, expired, invalid) without leaking details. */
export class UnauthorizedError extends Error {
  override name = 'UnauthorizedError';
  readonly status = 401;
}

/** 409: the request conflicts with the resource's state (e.g. paying twice). */
export class ConflictError extends Error {
  override name = 'ConflictError';
  readonly status = 409;
}

/** 403: a signed URL whose signature or expiry does not check out. */
export class ForbiddenError extends Error {
  override name = 'ForbiddenError';
  readonly status = 403;
}

/** 413: a request body over the route's limit. */
export class PayloadTooLargeError extends Error {
  override name = 'PayloadTooLargeError';
  readonly status = 413;
}

/**
 * 503: a dependency needed to answer is unreachable right now (e.g. the
 * project's JWKS): the request may be valid, so this is not a 401. Retry later.
 */
export class ServiceUnavailableError extends Error {
  override name = 'ServiceUnavailableError';
  readonly status = 503;
}

/** What a provider said about a failure, normalised across its error shapes. */
export interface ProviderDetail {
  status?: string; // e.g. `bad_prompt`, `concurrent_limit_exceeded`
  code?: string;
  message?: string;
  requestId?: string;
  /** ElevenLabs' rewrite of a rejected prompt (400 `bad_prompt`). */
  promptSuggestion?: string;
}

/** Base of provider errors: keeps the provider's HTTP status, body and detail. */
export abstract class ProviderError extends Error {
  abstract readonly retryable: boolean;
  /** True when the request may have reached the provider (timeout or reset after sending): count it as paid. */
  outcomeUnknown = false;
  detail: ProviderDetail = {};
  constructor(message: string, readonly providerStatus?: number, readonly providerBody?: unknown) {
    super(message);
  }
}

/** 400/422-class failures (e.g. ElevenLabs `bad_prompt`): retrying cannot help. */
export class PermanentProviderError extends ProviderError {
  override name = 'PermanentProviderError';
  readonly retryable = false;
}

/**
 * 401/403/quota exhausted: the account, not the request, is broken. Permanent
 * for the variant, and it pauses all generation until an admin resumes it.
 */
export class ProviderAccountError extends PermanentProviderError {
  override name = 'ProviderAccountError';
}

/** 5xx, network resets, timeouts: retry with backoff. */
export class RetryableProviderError extends ProviderError {
  override name = 'RetryableProviderError';
  readonly retryable = true;
}

/** 429: retry after `retryAfterMs` if the provider said, else back off. */
export class RateLimitedError extends ProviderError {
  override name = 'RateLimitedError';
  readonly retryable = true;
  constructor(message: string, readonly retryAfterMs?: number, providerStatus = 429, providerBody?: unknown) {
    super(message, providerStatus, providerBody);
  }
}
