import { type NextRequest, NextResponse } from 'next/server';
import { createSupabaseAuthClient, hasSupabaseSessionCookie } from '@/auth/supabase-auth';
import { appUrl, env, supabaseAuthEnabled } from '@/config/env';

/**
 * Keeps a Supabase Auth cookie session alive (Supabase's App Router guide: a
 * proxy refreshes the session and writes the rotated cookies to both the
 * request, for the page or route behind it, and the response). Only the proxy
 * refreshes: a refresh token is single-use, and a server component cannot set
 * cookies, so a refresh anywhere else would be lost and log the user out.
 * Requests without a Supabase session cookie pass straight through. The page
 * or route still verifies the access token itself (src/auth/session.ts).
 */
export async function proxy(request: NextRequest): Promise<NextResponse> {
  if (!hasSupabaseSessionCookie(request.cookies.getAll().map((c) => c.name))) return NextResponse.next();
  const e = env();
  if (!supabaseAuthEnabled(e)) return NextResponse.next();
  let response = NextResponse.next({ request });
  const client = createSupabaseAuthClient(e, appUrl(e), {
    getAll: () => request.cookies.getAll(),
    setAll(cookies) {
      for (const c of cookies) request.cookies.set(c.name, c.value);
      response = NextResponse.next({ request });
      for (const c of cookies) response.cookies.set(c.name, c.value, c.options);
    },
  });
  // refreshes (one call to Supabase Auth) only when the access token has expired or is about to
  await client.auth.getSession();
  return response;
}

export const config = {
  // pages and API routes; not static assets, nor the machine-to-machine routes
  matcher: ['/((?!_next/static|_next/image|favicon.ico|api/health|api/ready|api/metrics|api/stripe/webhook|api/storage/).*)'],
};
