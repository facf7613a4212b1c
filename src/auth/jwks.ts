import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import type { Logger } from 'pino';
import { ServiceUnavailableError } from '../errors';

/** Asymmetric algorithms Supabase Auth signs user tokens with (JWT signing keys). */
export const SUPABASE_ASYMMETRIC_ALGORITHMS = ['ES256', 'RS256'];

export interface SupabaseJwksOptions {
  /** Project URL, `https://<ref>.supabase.co`. */
  supabaseUrl: string;
  /** Where an outage (and the recovery) is logged, once each. */
  log: Logger;
  /** Longest one JWKS fetch may take, ms (jose default 5000). */
  timeoutMs?: number;
  /** Least time between two refetches on an unknown `kid`, ms (jose default 30 000). */
  cooldownMs?: number;
  /** How long a fetched key set is trusted, ms (10 min: Supabase's edge caches the JWKS as long). */
  cacheMaxAgeMs?: number;
}

const base = (supabaseUrl: string) => supabaseUrl.replace(/\/$/, '');

/** Supabase Auth's issuer claim: `<SUPABASE_URL>/auth/v1`. */
export function supabaseIssuer(supabaseUrl: string): string {
  return `${base(supabaseUrl)}/auth/v1`;
}

/** The project's public signing keys: `<SUPABASE_URL>/auth/v1/.well-known/jwks.json`. */
export function supabaseJwksUrl(supabaseUrl: string): URL {
  return new URL(`${supabaseIssuer(supabaseUrl)}/.well-known/jwks.json`);
}

/**
 * Whether a jose failure means "could not get the keys" (network error,
 * timeout, non-200, not a key set) rather than "this token is bad".
 */
function keysUnreachable(err: unknown): boolean {
  if (!(err instanceof errors.JOSEError)) return true; // fetch itself failed (TypeError: fetch failed)
  return err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid || err.code === 'ERR_JOSE_GENERIC';
}

/**
 * Verifies ES256/RS256 access tokens against the project's JWKS with jose's
 * `createRemoteJWKSet`: keys cached, refetched on an unknown `kid` at most once
 * per cooldown; `iss` = `<SUPABASE_URL>/auth/v1`, `aud` = authenticated, `exp`
 * and `sub` required. jose matches each algorithm only with its own key type
 * (RS* with RSA, ES256 with P-256), and HS256 never reaches this function.
 * @returns a function from a compact JWT to its verified payload.
 * @throws ServiceUnavailableError (503) when the JWKS is unreachable (logged once
 *   per outage); jose's errors for a token that fails verification.
 */
export function createSupabaseJwksVerifier(options: SupabaseJwksOptions): (token: string) => Promise<JWTPayload> {
  const url = supabaseJwksUrl(options.supabaseUrl);
  const issuer = supabaseIssuer(options.supabaseUrl);
  const getKey = createRemoteJWKSet(url, {
    timeoutDuration: options.timeoutMs ?? 5000,
    cooldownDuration: options.cooldownMs ?? 30_000,
    cacheMaxAge: options.cacheMaxAgeMs ?? 600_000,
  });
  let outageSince: Date | undefined;
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, getKey, {
        algorithms: SUPABASE_ASYMMETRIC_ALGORITHMS,
        issuer,
        audience: 'authenticated',
        requiredClaims: ['exp', 'sub'],
      });
      if (outageSince) {
        options.log.info({ jwksUrl: url.href, outageSince }, 'Supabase JWKS reachable again; verifying access tokens');
        outageSince = undefined;
      }
      return payload;
    } catch (err) {
      if (!keysUnreachable(err)) throw err;
      if (!outageSince) {
        outageSince = new Date();
        options.log.error({ err, jwksUrl: url.href }, 'Supabase JWKS unreachable: answering 503 to signed-in requests until it is back');
      }
      throw new ServiceUnavailableError('cannot verify access tokens right now; try again shortly');
    }
  };
}
