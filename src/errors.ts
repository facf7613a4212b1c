/**
 * The app's typed errors. Request errors are one family, `AppError`: each
 * carries a stable `code` (the API's contract, listed in the README) and the
 * HTTP status that code means; the route wrappers (src/server/route.ts) turn
 * one into `{"error": {"code", "message", "fields"?}}`. Provider errors below
 * carry a retry meaning instead (the generation workflow reads `retryable`).
 */

/** Every error code the API answers with, and its HTTP status. Stable: clients branch on these. */
export const ERROR_STATUS = {
  /** The request body is not JSON, or fails validation (`fields` says which field and why). */
  invalid_body: 400,
  /** A path or query parameter is out of range. */
  invalid_request: 400,
  /** A Stripe webhook whose signature is missing, invalid or stale. */
  invalid_signature: 400,
  /** No bearer token, or an invalid one. */
  unauthorized: 401,
  /** The bearer token has expired: sign in again. */
  token_expired: 401,
  /** Signed in but not allowed (admin only), or a signed URL that does not check out. */
  forbidden: 403,
  /** Unknown, or not yours: the two are indistinguishable on purpose. */
  not_found: 404,
  /** The request conflicts with the resource's state (e.g. paying twice). */
  conflict: 409,
  /** The body is over the route's limit. */
  payload_too_large: 413,
  /** A fault on our side; the message is generic, the details are in the log. */
  internal_error: 500,
  /** A dependency is unreachable right now (e.g. the project's JWKS): retry later. */
  service_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** Per-field messages, e.g. `{ occasionDate: ['Invalid date'] }`. */
export type FieldErrors = Record<string, string[]>;

/** Base of every error a request can answer with: `message` is shown to the caller, so it never holds secrets, SQL or stacks. */
export class AppError extends Error {
  override name = 'AppError';
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields?: FieldErrors,
  ) {
    super(message);
    this.status = ERROR_STATUS[code];
  }
}

/** 400 `invalid_body` (default), `invalid_request` or `invalid_signature`; `fields` holds per-field messages. */
export class ValidationError extends AppError {
  override name = 'ValidationError';
  constructor(message: string, fields?: FieldErrors, code: 'invalid_body' | 'invalid_request' | 'invalid_signature' = 'invalid_body') {
    super(code, message, fields);
  }
}

/** 404 `not_found`. Also used for "exists but is not yours", so the two are indistinguishable. */
export class NotFoundError extends AppError {
  override name = 'NotFoundError';
  constructor(message: string) {
    super('not_found', message);
  }
}

/** 401 `unauthorized`, or `token_expired`. `message` says why (missing, expired, invalid) without leaking details. */
export class UnauthorizedError extends AppError {
  override name = 'UnauthorizedError';
  constructor(message: string, code: 'unauthorized' | 'token_expired' = 'unauthorized') {
    super(code, message);
  }
}

/** 409 `conflict`: the request conflicts with the resource's state (e.g. paying twice). */
export class ConflictError extends AppError {
  override name = 'ConflictError';
  constructor(message: string) {
    super('conflict', message);
  }
}

/** 403 `forbidden`: not an admin, or a signed URL whose signature or expiry does not check out. */
export class ForbiddenError extends AppError {
  override name = 'ForbiddenError';
  constructor(message: string) {
    super('forbidden', message);
  }
}

/** 413 `payload_too_large`: a request body over the route's limit. */
export class PayloadTooLargeError extends AppError {
  override name = 'PayloadTooLargeError';
  constructor(message: string) {
    super('payload_too_large', message);
  }
}

/**
 * 503 `service_unavailable`: a dependency needed to answer is unreachable right
 * now (e.g. the project's JWKS): the request may be valid, so this is not a 401.
 */
export class ServiceUnavailableError extends AppError {
  override name = 'ServiceUnavailableError';
  constructor(message: string) {
    super('service_unavailable', message);
  }
}

/** What a provider said about a failure, normalised across its error shapes. */
export interface ProviderDetail {
  status?: string; // e.g. `bad_prompt`, `concurrent_limit_exceeded`
  code?: string;
  message?: string;
  requestId?: string;
  /** ElevenLabs' rewrite of a rejected prompt (400 `bad_prompt`). Customer text: never log it. */
  promptSuggestion?: string;
  /** ElevenLabs' rewrite of a rejected composition plan (400 `bad_composition_plan`). */
  compositionPlanSuggestion?: Record<string, unknown>;
}

/** Base of provider errors: keeps the provider's HTTP status, body and detail. */
export abstract class ProviderError extends Error {
  abstract readonly retryable: boolean;
  /** True when the request may have reached the provider (timeout or reset after sending): count it as paid. */
  outcomeUnknown = false;
  detail: ProviderDetail = {};
  constructor(
    message: string,
    readonly providerStatus?: number,
    readonly providerBody?: unknown,
  ) {
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
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    providerStatus = 429,
    providerBody?: unknown,
  ) {
    super(message, providerStatus, providerBody);
  }
}
