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

/**
 * Pages and API routes, but not static assets, the machine-to-machine routes, or
 * any request that carries a body. Next.js clones and buffers in memory the body
 * of every request a proxy runs on (up to `proxyClientMaxBodySize`, 10 MB, then
 * truncates it: nextjs.org/docs "experimental.proxyClientMaxBodySize"), which
 * would undo the streaming body limit of src/server/http.ts. So a refresh happens
 * on page loads and GET/HEAD calls; a POST/PUT/DELETE with an expired access
 * token answers 401 `token_expired`, and the next page load refreshes.
 */
export const config = {
  matcher: [
    {
      source: '/((?!_next/static|_next/image|favicon.ico|api/health|api/ready|api/metrics|api/stripe/webhook|api/storage/).*)',
      missing: [
        { type: 'header', key: 'content-length' },
        { type: 'header', key: 'transfer-encoding' },
      ],
    },
  ],
};
