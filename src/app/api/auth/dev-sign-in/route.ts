import { NextResponse } from 'next/server';
import { devSignIn } from '@/auth/dev-sign-in';
import { assertSameOrigin, SESSION_COOKIE, sessionCookieOptions } from '@/auth/session';
import { appUrl } from '@/config/env';
import { ValidationError } from '@/errors';
import { withRoute } from '@/server/route';

/**
 * The `/sign-in` form's target (local mode only; 404 otherwise): signs in as
 * the posted email, sets the httpOnly session cookie and redirects (303) to
 * `next`. From our own origin only, so no other site can sign a visitor in
 * as someone else (login CSRF). A bad email goes back to the form with the error.
 */
export const POST = withRoute({ route: 'dev-sign-in', body: 'text' }, async ({ req, ctx, rawBody }) => {
  const form = Object.fromEntries(new URLSearchParams(rawBody));
  const base = appUrl(ctx.env);
  assertSameOrigin(req, base);
  try {
    const session = await devSignIn(ctx.env, ctx.db, form);
    const res = NextResponse.redirect(new URL(session.next, base), 303);
    res.cookies.set(SESSION_COOKIE, session.token, sessionCookieOptions(base, session.maxAgeSeconds));
    return res;
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    const back = new URL('/sign-in', base);
    back.searchParams.set('error', err.fields?.email?.[0] ?? err.message);
    for (const key of ['email', 'next']) if (typeof form[key] === 'string') back.searchParams.set(key, form[key]);
    return NextResponse.redirect(back, 303);
  }
});
