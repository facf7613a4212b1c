import { NextResponse } from 'next/server';
import { assertSameOrigin, SESSION_COOKIE, sessionCookieOptions } from '@/auth/session';
import { createSupabaseAuthClient, hasSupabaseSessionCookie } from '@/auth/supabase-auth';
import { appUrl, supabaseAuthEnabled } from '@/config/env';
import { withRoute } from '@/server/route';
import { routeCookieJar } from '@/server/supabase-cookies';

/**
 * Clears the session cookie and redirects (303) home; from our own origin only.
 * A Supabase Auth session is also ended at Supabase (`signOut`, scope `local`:
 * this browser's refresh token is revoked), and its cookies are cleared even
 * when Supabase cannot be reached.
 */
export const POST = withRoute({ route: 'sign-out' }, async ({ req, ctx, log }) => {
  const base = appUrl(ctx.env);
  assertSameOrigin(req, base);
  const cookies = routeCookieJar(req);
  const names = cookies.jar.getAll().map((c) => c.name);
  if (supabaseAuthEnabled(ctx.env) && hasSupabaseSessionCookie(names)) {
    const { error } = await createSupabaseAuthClient(ctx.env, base, cookies.jar).auth.signOut({ scope: 'local' });
    if (error) log.warn({ err: error }, 'Supabase sign-out failed; clearing the session cookies anyway');
  }
  const res = cookies.applyTo(NextResponse.redirect(new URL('/', base), 303));
  res.cookies.set(SESSION_COOKIE, '', sessionCookieOptions(base, 0));
  for (const name of names) if (hasSupabaseSessionCookie([name])) res.cookies.set(name, '', sessionCookieOptions(base, 0));
  return res;
});
