import { NextResponse } from 'next/server';
import { assertSameOrigin, SESSION_COOKIE, sessionCookieOptions } from '../../../../auth/session';
import { appUrl } from '../../../../config/env';
import { errorResponse } from '../../../../server/http';
import { webContext } from '../../../../server/web-context';

/** Clears the session cookie and redirects (303) home; from our own origin only. */
export async function POST(req: Request) {
  try {
    const base = appUrl(webContext().env);
    assertSameOrigin(req, base);
    const res = NextResponse.redirect(new URL('/', base), 303);
    res.cookies.set(SESSION_COOKIE, '', sessionCookieOptions(base, 0));
    return res;
  } catch (err) {
    return errorResponse(err, { route: 'sign-out' });
  }
}
