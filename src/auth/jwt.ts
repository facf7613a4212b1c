import { decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { JwtClaims } from '../db/pool';
import { ServiceUnavailableError, UnauthorizedError } from '../errors';
import { uuidSchema } from '../validation/uuid';
import { createSupabaseJwksVerifier, SUPABASE_ASYMMETRIC_ALGORITHMS, supabaseIssuer, type SupabaseJwksOptions } from './jwks';

const claimsSchema = z.looseObject({
  sub: uuidSchema,
  role: z.literal('authenticated'),
  app_metadata: z.looseObject({ role: z.string().optional() }).optional(),
});

/** Verifies Supabase Auth access tokens; build one per process (it caches the JWKS). */
export interface AccessTokenVerifier {
  /**
   * @returns the claims to hand to Postgres as `request.jwt.claims`.
   * @throws UnauthorizedError (401) saying why: expired, not yet valid, invalid,
   *   or not a signed-in user's token.
   * @throws ServiceUnavailableError (503) when the project's JWKS is unreachable.
   */
  verify(token: string): Promise<JwtClaims>;
}

export interface AccessTokenVerifierOptions {
  /** Legacy/local HS256 secret (`SUPABASE_JWT_SECRET`); unset: HS256 tokens are refused. */
  jwtSecret?: string;
  /** Project URL (`SUPABASE_URL`); set: ES256/RS256 via its JWKS, and `iss` is checked on every token. */
  supabaseUrl?: string;
  /** Logs a JWKS outage; required with `supabaseUrl`. */
  log?: Logger;
  /** JWKS cache tuning (tests shorten it). */
  jwks?: Omit<SupabaseJwksOptions, 'supabaseUrl' | 'log'>;
}

/**
 * Supabase Auth access tokens, both generations:
 * - HS256 with `SUPABASE_JWT_SECRET` (legacy projects, local runs);
 * - ES256/RS256 against `<SUPABASE_URL>/auth/v1/.well-known/jwks.json` (JWT signing keys).
 *
 * The token's `alg` picks the path, and each path accepts only its own
 * algorithms with its own kind of key: an HS256 token is checked only with the
 * shared secret (so one "signed" with a public key's bytes fails), `alg: none`
 * and anything else are refused. Every token needs `aud` = `role` =
 * authenticated, `exp`, a user-id `sub`, and with SUPABASE_URL set `iss` =
 * `<SUPABASE_URL>/auth/v1`; service-role, anon and publishable keys are refused.
 */
export function createAccessTokenVerifier(options: AccessTokenVerifierOptions): AccessTokenVerifier {
  const secret = options.jwtSecret ? new TextEncoder().encode(options.jwtSecret) : undefined;
  const issuer = options.supabaseUrl ? supabaseIssuer(options.supabaseUrl) : undefined;
  const jwks =
    options.supabaseUrl && options.log ? createSupabaseJwksVerifier({ ...options.jwks, supabaseUrl: options.supabaseUrl, log: options.log }) : undefined;

  async function verifySignature(token: string): Promise<JWTPayload> {
    let alg: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw new UnauthorizedError('invalid access token'); // not a JWT at all (e.g. an sb_publishable_ key)
    }
    if (alg === 'HS256' && secret) {
      return (await jwtVerify(token, secret, { algorithms: ['HS256'], audience: 'authenticated', issuer, requiredClaims: ['exp', 'sub'] })).payload;
    }
    if (typeof alg === 'string' && SUPABASE_ASYMMETRIC_ALGORITHMS.includes(alg) && jwks) return jwks(token);
    throw new UnauthorizedError('invalid access token');
  }

  return {
    async verify(token) {
      let payload: JWTPayload;
      try {
        payload = await verifySignature(token);
      } catch (err) {
        if (err instanceof UnauthorizedError || err instanceof ServiceUnavailableError) throw err;
        if (err instanceof errors.JWTExpired) throw new UnauthorizedError('access token expired', 'token_expired');
        if (err instanceof errors.JWTClaimValidationFailed && err.claim === 'nbf') throw new UnauthorizedError('access token not yet valid');
        throw new UnauthorizedError('invalid access token');
      }
      const claims = claimsSchema.safeParse(payload);
      if (!claims.success) throw new UnauthorizedError('access token is not a signed-in user token');
      return claims.data as JwtClaims;
    },
  };
}

/**
 * Reads `Authorization: Bearer <jwt>` and verifies it.
 * @throws UnauthorizedError (401) when missing or invalid; ServiceUnavailableError (503).
 */
export async function authenticate(headers: Headers, verifier: AccessTokenVerifier): Promise<JwtClaims> {
  const header = headers.get('authorization') ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new UnauthorizedError('missing bearer token');
  return verifier.verify(match[1]!);
}

/**
 * The caller's verified claims, or null when the bearer token is missing or
 * invalid: for routes that answer strangers with the same 404 as a missing
 * resource rather than with a 401.
 */
export async function authenticateIfPresent(headers: Headers, verifier: AccessTokenVerifier): Promise<JwtClaims | null> {
  try {
    return await authenticate(headers, verifier);
  } catch (err) {
    if (err instanceof UnauthorizedError) return null;
    throw err;
  }
}
