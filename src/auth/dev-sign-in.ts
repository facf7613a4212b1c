import type { Env } from '../config/env';
import { ensureUserByEmail } from '../db/auth-users';
import { type Db, withTransaction } from '../db/pool';
import { NotFoundError } from '../errors';
import { mintAccessToken } from './dev-tokens';
import { parseSignInForm, signInFormSchema } from './sign-in-form';

/** How long a dev sign-in lasts, s. */
export const DEV_SESSION_SECONDS = 8 * 60 * 60;

/**
 * The dev sign-in exists only in local mode (README "Two modes"), and only
 * while access tokens are HS256 with our own secret. With Supabase configured,
 * sign-in is Supabase Auth's job: a token we minted ourselves would be a
 * backdoor (issue 12: "refused when NODE_ENV=production and Supabase is configured").
 */
export function devSignInEnabled(e: Env): boolean {
  return e.mode === 'local' && !e.SUPABASE_URL && !!e.SUPABASE_JWT_SECRET;
}

/** The dev sign-in form's fields (the shared sign-in form). */
export const devSignInBodySchema = signInFormSchema;

/**
 * Signs in as `email` (local mode): creates the `auth.users` row if needed and
 * mints the access token Supabase Auth would issue (HS256 with
 * SUPABASE_JWT_SECRET, `aud`/`role` authenticated, `sub` the user id, `email`).
 * @param form the posted form fields `{email, next?}`.
 * @returns the token for the session cookie, its lifetime in s, and the path to go to next.
 * @throws NotFoundError (404) outside local mode; ValidationError (400) for a bad email.
 */
export async function devSignIn(
  e: Env,
  db: Db,
  form: Record<string, unknown>,
): Promise<{ token: string; userId: string; maxAgeSeconds: number; next: string }> {
  if (!devSignInEnabled(e)) throw new NotFoundError('not found');
  const { email, next } = parseSignInForm(form);
  const userId = await withTransaction(db, (tx) => ensureUserByEmail(tx, email));
  const token = await mintAccessToken(e.SUPABASE_JWT_SECRET!, userId, { email: email.toLowerCase(), expiresIn: `${DEV_SESSION_SECONDS}s` });
  return { token, userId, maxAgeSeconds: DEV_SESSION_SECONDS, next };
}
