import 'server-only';
import { NextRequest, type NextResponse } from 'next/server';
import type { CookieJar, SupabaseCookie } from '@/auth/supabase-auth';

/**
 * A cookie jar for a Supabase client inside one route handler: it reads the
 * request's cookies (and what the client wrote since), and `applyTo` copies
 * every cookie the client wrote onto the response, the getAll/setAll contract
 * `@supabase/ssr` documents.
 */
export function routeCookieJar(req: Request): { jar: CookieJar; applyTo(res: NextResponse): NextResponse } {
  const current = new Map(new NextRequest(req.url, { headers: req.headers }).cookies.getAll().map((c) => [c.name, c.value]));
  const written: SupabaseCookie[] = [];
  return {
    jar: {
      getAll: () => [...current].map(([name, value]) => ({ name, value })),
      setAll(cookies) {
        for (const c of cookies) {
          if (c.value) current.set(c.name, c.value);
          else current.delete(c.name);
          written.push(c);
        }
      },
    },
    applyTo(res) {
      for (const c of written) res.cookies.set(c.name, c.value, c.options);
      return res;
    },
  };
}
