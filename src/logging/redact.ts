/**
 * Scrubbing of secrets that hide inside free text (URLs, error messages), which
 * pino's path-based redaction cannot see. Share tokens grant access to a song,
 * so a log line must never carry one (docs/architecture.md "Rules drawn from real failures").
 */

const SHARE_PATH = /(\/(?:api\/)?s(?:hare)?\/)[^/?#\s"']+/gi;
const JWT = /\beyJ[\w-]+\.[\w-]+\.[\w-]*/g;
const STRIPE_KEY = /\b(sk|rk|pk|whsec)_(test|live)?_?[A-Za-z0-9]{8,}/g;
const SIGNED_URL_SIG = /([?&]sig=)[^&\s"']+/g;
/** Sign-in secrets in URLs: a magic link's PKCE `code`, `token_hash` or `token` (each signs someone in once). */
const SIGN_IN_PARAM = /([?&](?:code|token_hash|token|refresh_token)=)[^&\s"']+/g;
const SUPABASE_SECRET_KEY = /\bsb_secret_[\w-]+/g;
const EMAIL = /[\w.+-]+@[\w-]+\.[\w.-]+/g;

/** Returns `text` with share paths, JWTs, API keys, URL signatures, sign-in codes and emails replaced. */
export function scrubText(text: string): string {
  return text
    .replace(SHARE_PATH, '$1[REDACTED]')
    .replace(JWT, '[REDACTED_JWT]')
    .replace(STRIPE_KEY, '[REDACTED_KEY]')
    .replace(SIGNED_URL_SIG, '$1[REDACTED]')
    .replace(SIGN_IN_PARAM, '$1[REDACTED]')
    .replace(SUPABASE_SECRET_KEY, '[REDACTED_KEY]')
    .replace(EMAIL, '[REDACTED_EMAIL]');
}

/** Deep copy of a log payload with every string scrubbed. Depth-limited for cycles. */
export function scrubValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    // Keep what a reader needs to act on a database or provider error.
    const e = value as Error & { code?: unknown; detail?: unknown; constraint?: unknown; providerStatus?: unknown };
    return {
      type: value.name,
      message: scrubText(value.message),
      ...(e.code !== undefined && { code: e.code }),
      ...(typeof e.detail === 'string' && { detail: scrubText(e.detail) }),
      ...(e.constraint !== undefined && { constraint: e.constraint }),
      ...(e.providerStatus !== undefined && { providerStatus: e.providerStatus }),
      stack: value.stack && scrubText(value.stack),
    };
  }
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubValue(v, depth + 1)]));
}
