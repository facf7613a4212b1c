import { NextResponse } from 'next/server';
import { assertSameOrigin } from '@/auth/session';
import { verifyEmailCode } from '@/auth/supabase-auth';
import { appUrl, supabaseAuthEnabled } from '@/config/env';
import { NotFoundError, UnauthorizedError, ValidationError } from '@/errors';
import { withRoute } from '@/server/route';
import { routeCookieJar } from '@/server/supabase-cookies';

/**
 * The "Check your email" page's code form, with Supabase Auth configured (404
 * otherwise): `{email, code, next}` → the session cookies and a 303 to `next`.
 * From our own origin only (login CSRF). A wrong or malformed code goes back to
 * the page with the reason beside the field.
 */
export const POST = withRoute({ route: 'verify-code', body: 'text' }, async ({ req, ctx, rawBody }) => {
  if (!supabaseAuthEnabled(ctx.env)) throw new NotFoundError('not found');
  const form = Object.fromEntries(new URLSearchParams(rawBody));
  const base = appUrl(ctx.env);
  assertSameOrigin(req, base);
  const cookies = routeCookieJar(req);
  try {
    const next = await verifyEmailCode(ctx.env, base, cookies.jar, form);
    return cookies.applyTo(NextResponse.redirect(new URL(next, base), 303));
  } catch (err) {
    if (!(err instanceof ValidationError) && !(err instanceof UnauthorizedError)) throw err;
    const back = new URL('/sign-in', base);
    for (const key of ['email', 'next']) if (typeof form[key] === 'string') back.searchParams.set(key, form[key]);
    back.searchParams.set('sent', '1');
    const fields = err instanceof ValidationError ? err.fields : undefined;
    back.searchParams.set('error', fields?.code?.[0] ?? fields?.email?.[0] ?? err.message);
    return NextResponse.redirect(back, 303);
  }
});
