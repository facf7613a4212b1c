import 'server-only';
import { NextResponse } from 'next/server';
import { completeMagicLinkSignIn } from '@/auth/supabase-auth';
import { appUrl, supabaseAuthEnabled } from '@/config/env';
import { NotFoundError, UnauthorizedError } from '@/errors';
import { withRoute } from './route';
import { routeCookieJar } from './supabase-cookies';

/**
 * GET handler of `/auth/callback` (`?code=`, PKCE) and `/auth/confirm`
 * (`?token_hash=&type=`), the two routes Supabase documents for the App Router:
 * sets the session cookies and redirects (303) to `next`. A bad or used link
 * goes back to `/sign-in` with the reason. 404 without Supabase Auth.
 */
export function magicLinkCallback(route: string) {
  return withRoute({ route }, async ({ req, ctx }) => {
    if (!supabaseAuthEnabled(ctx.env)) throw new NotFoundError('not found');
    const base = appUrl(ctx.env);
    const params = new URL(req.url).searchParams;
    const cookies = routeCookieJar(req);
    try {
      const next = await completeMagicLinkSignIn(ctx.env, base, cookies.jar, params);
      return cookies.applyTo(NextResponse.redirect(new URL(next, base), 303));
    } catch (err) {
      if (!(err instanceof UnauthorizedError)) throw err;
      const back = new URL('/sign-in', base);
      back.searchParams.set('error', err.message);
      // the used verifier is cleared either way, so a retry starts a fresh flow
      return cookies.applyTo(NextResponse.redirect(back, 303));
    }
  });
}
