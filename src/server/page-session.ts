import 'server-only';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { sessionAccessToken } from '../auth/session';
import type { JwtClaims } from '../db/pool';
import { UnauthorizedError } from '../errors';
import { webContext } from './web-context';

/**
 * Server components only: the signed-in user's verified claims from the
 * session cookie (dev sign-in or Supabase Auth), or null (no cookie, or an
 * expired or invalid token).
 */
export async function pageSession(): Promise<JwtClaims | null> {
  const token = await sessionAccessToken((await cookies()).getAll());
  if (!token) return null;
  try {
    return await webContext().accessTokens.verify(token);
  } catch (err) {
    if (err instanceof UnauthorizedError) return null;
    throw err;
  }
}

/** As `pageSession`, but sends a stranger to `/sign-in`, coming back to `returnTo` (a path) afterwards. */
export async function requirePageSession(returnTo: string): Promise<JwtClaims> {
  const claims = await pageSession();
  if (!claims) redirect(`/sign-in?next=${encodeURIComponent(returnTo)}`);
  return claims;
}
