import { NextResponse } from 'next/server';
import { assertSameOrigin, SESSION_COOKIE, sessionCookieOptions } from '@/auth/session';
import { appUrl } from '@/config/env';
import { withRoute } from '@/server/route';

/** Clears the session cookie and redirects (303) home; from our own origin only. */
export const POST = withRoute({ route: 'sign-out' }, ({ req, ctx }) => {
  const base = appUrl(ctx.env);
  assertSameOrigin(req, base);
  const res = NextResponse.redirect(new URL('/', base), 303);
  res.cookies.set(SESSION_COOKIE, '', sessionCookieOptions(base, 0));
  return res;
});
