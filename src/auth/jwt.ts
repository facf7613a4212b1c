import { errors, jwtVerify } from 'jose';
import { z } from 'zod';
import type { JwtClaims } from '../db/pool';
import { UnauthorizedError } from '../errors';
import { uuidSchema } from '../validation/uuid';

const claimsSchema = z.looseObject({
  sub: uuidSchema,
  role: z.literal('authenticated'),
  app_metadata: z.looseObject({ role: z.string().optional() }).optional(),
});

/**
 * Verifies a Supabase Auth access token: HS256 signed with
 * `SUPABASE_JWT_SECRET`, `aud = authenticated`, `role = authenticated`, `sub` a
 * user id, `exp` required and honoured, `nbf` honoured (jose). Only HS256 is
 * accepted, which rules out `alg: none` and RS/HS confusion; a service-role
 * key (role `service_role`) is refused like any other non-user token.
 * @returns the claims to hand to Postgres as `request.jwt.claims`.
 * @throws UnauthorizedError (401) saying why: expired, or invalid.
 */
export async function verifyAccessToken(token: string, secret: string): Promise<JwtClaims> {
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, new TextEncoder().encode(secret), {
      algorithms: ['HS256'],
      audience: 'authenticated',
      requiredClaims: ['exp', 'sub'],
    }));
  } catch (err) {
    if (err instanceof errors.JWTExpired) throw new UnauthorizedError('access token expired');
    if (err instanceof errors.JWTClaimValidationFailed && err.claim === 'nbf') throw new UnauthorizedError('access token not yet valid');
    throw new UnauthorizedError('invalid access token');
  }
  const claims = claimsSchema.safeParse(payload);
  if (!claims.success) throw new UnauthorizedError('access token is not a signed-in user token');
  return claims.data as JwtClaims;
}

/**
 * Reads `Authorization: Bearer <jwt>` and verifies it.
 * @throws UnauthorizedError (401) when missing or invalid.
 */
export async function authenticate(headers: Headers, secret: string): Promise<JwtClaims> {
  const header = headers.get('authorization') ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new UnauthorizedError('missing bearer token');
  return verifyAccessToken(match[1]!, secret);
}
