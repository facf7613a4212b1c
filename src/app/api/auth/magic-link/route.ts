import { NextResponse } from 'next/server';
import { assertSameOrigin } from '@/auth/session';
import { requestMagicLink } from '@/auth/supabase-auth';
import { appUrl, supabaseAuthEnabled } from '@/config/env';
import { NotFoundError, ValidationError } from '@/errors';
import { withRoute } from '@/server/route';
import { routeCookieJar } from '@/server/supabase-cookies';

/**
 * The `/sign-in` form's target with Supabase Auth configured (404 otherwise):
 * emails a magic link (PKCE; the code verifier goes in a cookie) and redirects
 * (303) to `/sign-in?sent=1`. From our own origin only, like every sign-in
 * step (login CSRF). A bad email goes back to the form with the error.
 */
export const POST = withRoute({ route: 'magic-link', body: 'text' }, async ({ req, ctx, rawBody }) => {
  if (!supabaseAuthEnabled(ctx.env)) throw new NotFoundError('not found');
  const form = Object.fromEntries(new URLSearchParams(rawBody));
  const base = appUrl(ctx.env);
  assertSameOrigin(req, base);
  const back = new URL('/sign-in', base);
  for (const key of ['email', 'next']) if (typeof form[key] === 'string') back.searchParams.set(key, form[key]);
  const cookies = routeCookieJar(req);
  try {
    await requestMagicLink(ctx.env, base, cookies.jar, form);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    back.searchParams.set('error', err.fields?.email?.[0] ?? err.message);
    return NextResponse.redirect(back, 303);
  }
  back.searchParams.set('sent', '1');
  return cookies.applyTo(NextResponse.redirect(back, 303));
});
