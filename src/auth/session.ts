import { NextRequest } from 'next/server';
import type { JwtClaims } from '../db/pool';
import { ForbiddenError, UnauthorizedError } from '../errors';
import { type AccessTokenVerifier, authenticate } from './jwt';
import { supabaseSessionAccessToken } from './supabase-auth';

/** Name of the httpOnly cookie holding the dev sign-in's access token (a Supabase-shaped JWT). */
export const SESSION_COOKIE = 'songswipe_session';

/** Methods that change nothing: a cookie may authenticate them from anywhere (SameSite=Lax already limits it). */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The cookie's attributes: httpOnly (no script reads it), SameSite=Lax, Secure on https. */
export function sessionCookieOptions(appUrl: string, maxAgeSeconds: number) {
  return { httpOnly: true, sameSite: 'lax' as const, path: '/', secure: appUrl.startsWith('https:'), maxAge: maxAgeSeconds };
}

/**
 * Refuses a state-changing cookie-authenticated request that did not come from
 * our own pages: the browser sends `Origin` with every cross-origin request and
 * with same-origin POST/PUT/DELETE, and a page elsewhere cannot forge it (OWASP
 * CSRF cheat sheet, "verifying origin with standard headers"). A browser sends
 * `Origin: null` instead under a `no-referrer` policy; then `Sec-Fetch-Site:
 * same-origin` (a header no page can set either) vouches for it. Anything else,
 * no Origin at all included, is refused.
 * @param appUrl APP_URL; its origin is ours.
 * @throws ForbiddenError (403)
 */
export function assertSameOrigin(req: Request, appUrl: string): void {
  if (SAFE_METHODS.has(req.method)) return;
  const origin = req.headers.get('origin');
  if (origin === new URL(appUrl).origin) return;
  if (origin === 'null' && req.headers.get('sec-fetch-site') === 'same-origin') return;
  throw new ForbiddenError('cross-site request refused');
}

/**
 * The access token of a browser's cookie session: the dev sign-in's cookie, else
 * the one in Supabase Auth's session cookie (`@supabase/ssr`). Not verified here.
 * @returns the JWT, or undefined when neither cookie is present.
 */
export async function sessionAccessToken(cookies: { name: string; value: string }[]): Promise<string | undefined> {
  return cookies.find((c) => c.name === SESSION_COOKIE)?.value || (await supabaseSessionAccessToken(cookies));
}

/**
 * The caller of an API route: `Authorization: Bearer <jwt>` (API clients), else
 * the session cookie (browsers: the dev sign-in's or Supabase Auth's), which
 * must come from our own origin when the request changes state. All are
 * verified by the same AccessTokenVerifier (HS256 secret or the project's JWKS).
 * @throws UnauthorizedError (401) when neither is present or the token is
 *   invalid; ForbiddenError (403) for a cross-site state change;
 *   ServiceUnavailableError (503) when the JWKS is unreachable.
 */
export async function authenticateRequest(req: Request, verifier: AccessTokenVerifier, appUrl: string): Promise<JwtClaims> {
  if (req.headers.has('authorization')) return authenticate(req.headers, verifier);
  const token = await sessionAccessToken(new NextRequest(req.url, { headers: req.headers }).cookies.getAll());
  if (!token) throw new UnauthorizedError('not signed in');
  assertSameOrigin(req, appUrl);
  return verifier.verify(token);
}

/**
 * As `authenticateRequest`, but null instead of a 401, for routes that answer
 * strangers with the same 404 as a missing resource. A cross-site state change
 * is still a 403.
 */
export async function authenticateRequestIfPresent(req: Request, verifier: AccessTokenVerifier, appUrl: string): Promise<JwtClaims | null> {
  try {
    return await authenticateRequest(req, verifier, appUrl);
  } catch (err) {
    if (err instanceof UnauthorizedError) return null;
    throw err;
  }
}
