/**
 * Supabase Auth sign-in over HTTP against the production build (issue 12),
 * with NODE_ENV=production and Supabase configured (SUPABASE_URL + publishable
 * key) pointing at a local GoTrue stub: ask for a magic link → the stub
 * "emails" it → the link lands on /auth/callback, which exchanges the PKCE code
 * → an httpOnly session cookie → /orders and the API accept it; a cross-site
 * POST carrying it is refused; the dev sign-in is off. Tokens are ES256,
 * verified through the stub's JWKS like a real project's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureUserByEmail, findUserIdByEmail } from '../../src/db/auth-users';
import { withTransaction } from '../../src/db/pool';
import { type BuiltServer, startBuiltServer } from '../support/built-server';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startSupabaseAuthStub, type SupabaseAuthStub } from '../support/supabase-auth-stub';

const PUBLISHABLE_KEY = 'sb_publishable_e2e_0123456789';

let db: TestDatabase;
let stub: SupabaseAuthStub;
let server: BuiltServer;
let base: string;

beforeAll(async () => {
  db = await createTestDatabase();
  stub = await startSupabaseAuthStub({
    publishableKey: PUBLISHABLE_KEY,
    createUser: (email) => withTransaction(db.pool, (tx) => ensureUserByEmail(tx, email)),
  });
  // SUPABASE_JWT_SECRET stays set (legacy HS256 verification); Supabase Auth is still what signs browsers in
  server = await startBuiltServer(db.url, { SUPABASE_URL: stub.url, SUPABASE_PUBLISHABLE_KEY: PUBLISHABLE_KEY });
  base = server.base;
}, 300_000);

afterAll(async () => {
  await server?.stop();
  await stub?.close();
});

/** A minimal browser cookie store: Set-Cookie in, `cookie` header out. */
class Jar {
  readonly cookies = new Map<string, string>();
  /** The raw Set-Cookie lines of the last response stored. */
  lastSetCookie: string[] = [];
  store(res: Response): Response {
    this.lastSetCookie = res.headers.getSetCookie();
    for (const line of this.lastSetCookie) {
      const [pair, ...attrs] = line.split(';');
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at).trim();
      const value = pair!.slice(at + 1);
      const expired = attrs.some((a) => /^\s*max-age=0$/i.test(a)) || value === '';
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }
  header(): string {
    return [...this.cookies].map(([n, v]) => `${n}=${v}`).join('; ');
  }
}

async function askForLink(jar: Jar, email: string, origin = base) {
  return jar.store(
    await fetch(`${base}/api/auth/magic-link`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin, cookie: jar.header() },
      body: new URLSearchParams({ email, next: '/orders' }),
    }),
  );
}

/** The whole sign-in, as a browser does it; returns the browser's jar. */
async function signIn(email: string): Promise<Jar> {
  const jar = new Jar();
  expect((await askForLink(jar, email)).status).toBe(303);
  const verify = await fetch(stub.lastEmailTo(email)!.link, { redirect: 'manual' });
  const callback = await fetch(verify.headers.get('location')!, { redirect: 'manual', headers: { cookie: jar.header() } });
  jar.store(callback);
  expect(callback.status).toBe(303);
  return jar;
}

describe('Supabase Auth sign-in (NODE_ENV=production, Supabase configured)', () => {
  it('the sign-in page offers the magic link, and the dev sign-in is refused', async () => {
    const page = await (await fetch(`${base}/sign-in`)).text();
    expect(page).toContain('action="/api/auth/magic-link"');
    expect(page).not.toContain('/api/auth/dev-sign-in');
    const dev = await fetch(`${base}/api/auth/dev-sign-in`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base },
      body: new URLSearchParams({ email: 'intruder@example.test' }),
    });
    expect(dev.status).toBe(404);
    expect(dev.headers.getSetCookie()).toEqual([]);
    expect(await findUserIdByEmail(db.pool, 'intruder@example.test')).toBeUndefined();
  });

  it('magic link → /auth/callback → httpOnly session cookie; /orders and the API accept it', async () => {
    const jar = new Jar();
    const asked = await askForLink(jar, 'ada@example.test');
    expect(asked.status).toBe(303);
    const sentPage = new URL(asked.headers.get('location')!);
    expect(sentPage.pathname).toBe('/sign-in');
    expect(sentPage.searchParams.get('sent')).toBe('1');
    expect(await (await fetch(sentPage, { headers: { cookie: jar.header() } })).text()).toContain('Check your email');

    const mail = stub.lastEmailTo('ada@example.test')!;
    expect(mail.redirectTo).toBe(`${base}/auth/callback?next=%2Forders`);
    const verify = await fetch(mail.link, { redirect: 'manual' });
    const landing = new URL(verify.headers.get('location')!);
    expect(`${landing.origin}${landing.pathname}`).toBe(`${base}/auth/callback`);

    const callback = jar.store(await fetch(landing, { redirect: 'manual', headers: { cookie: jar.header() } }));
    expect(callback.status).toBe(303);
    expect(new URL(callback.headers.get('location')!).pathname).toBe('/orders');
    const session = jar.lastSetCookie.find((l) => l.startsWith('sb-songswipe-auth-token='));
    expect(session).toMatch(/HttpOnly/i);
    expect(session).toMatch(/SameSite=Lax/i);
    expect(session).toMatch(/Path=\//);

    // the page: signed in (no redirect to /sign-in)
    const orders = await fetch(`${base}/orders`, { redirect: 'manual', headers: { cookie: jar.header() } });
    expect(orders.status).toBe(200);
    expect(await orders.text()).toContain('Your orders');
    const stranger = await fetch(`${base}/orders`, { redirect: 'manual' });
    expect(stranger.status).toBe(307);
    expect(stranger.headers.get('location')).toContain('/sign-in');

    // the API: a read, and a same-origin write recorded for the Supabase user
    const list = await fetch(`${base}/api/orders`, { headers: { cookie: jar.header() } });
    expect(list.status).toBe(200);
    expect(await list.json()).toMatchObject({ orders: [] });
    const created = await fetch(`${base}/api/customizations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: jar.header(), origin: base },
      body: JSON.stringify({ recipientName: 'Ana', occasion: 'birthday', occasionDate: '2027-01-02', genre: 'pop', mood: 'happy', story: 'x' }),
    });
    expect(created.status).toBe(201);
    const userId = await findUserIdByEmail(db.pool, 'ada@example.test');
    const { rows } = await db.pool.query('select user_id from public.customizations');
    expect(rows).toEqual([{ user_id: userId }]);
  });

  it('a cross-site POST carrying the Supabase session cookie is refused and writes nothing', async () => {
    const jar = await signIn('csrf@example.test');
    const before = (await db.pool.query('select count(*)::int as n from public.customizations')).rows[0].n;
    const body = JSON.stringify({ recipientName: 'Bo', occasion: 'birthday', occasionDate: '2027-01-02', genre: 'pop', mood: 'happy', story: 'x' });
    for (const origin of ['https://evil.example', undefined]) {
      const res = await fetch(`${base}/api/customizations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: jar.header(), ...(origin ? { origin } : {}) },
        body,
      });
      expect(res.status).toBe(403);
    }
    expect((await db.pool.query('select count(*)::int as n from public.customizations')).rows[0].n).toBe(before);
    // nor can another site start a sign-in (login CSRF)
    expect((await askForLink(new Jar(), 'victim@example.test', 'https://evil.example')).status).toBe(403);
    expect(stub.lastEmailTo('victim@example.test')).toBeUndefined();
  });

  it('an expired access token is refreshed by the proxy: the request goes through and the rotated cookie comes back', async () => {
    stub.setAccessTokenSeconds(2);
    let jar: Jar;
    try {
      jar = await signIn('refresh@example.test');
    } finally {
      stub.setAccessTokenSeconds(3600);
    }
    const before = jar.cookies.get('sb-songswipe-auth-token');
    await new Promise((r) => setTimeout(r, 3000)); // the access token in the cookie is now expired
    const refreshesBefore = stub.calls.filter((c) => c.path === '/token' && c.status === 200).length;
    const list = jar.store(await fetch(`${base}/api/orders`, { headers: { cookie: jar.header() } }));
    expect(list.status).toBe(200);
    expect(stub.calls.filter((c) => c.path === '/token' && c.status === 200).length).toBe(refreshesBefore + 1);
    expect(jar.cookies.get('sb-songswipe-auth-token')).not.toBe(before);
    expect((await fetch(`${base}/orders`, { redirect: 'manual', headers: { cookie: jar.header() } })).status).toBe(200);
    // the old cookie's refresh token was rotated out (the stub revokes a used one at once): replayed, it is no session
    const stale = await fetch(`${base}/api/orders`, { headers: { cookie: `sb-songswipe-auth-token=${before}` } });
    expect(stale.status).toBe(401);
  });

  it("the email's code signs in from another device; a wrong code goes back beside the field; another site cannot post it", async () => {
    await askForLink(new Jar(), 'otp@example.test');
    const { otp } = stub.lastEmailTo('otp@example.test')!;
    const post = (jar: Jar, code: string, origin = base) =>
      fetch(`${base}/api/auth/verify-code`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin, cookie: jar.header() },
        body: new URLSearchParams({ email: 'otp@example.test', code, next: '/orders' }),
      }).then((res) => jar.store(res));
    const phone = new Jar();
    expect((await post(phone, otp, 'https://evil.example')).status).toBe(403);
    const wrong = await post(phone, otp === '000000' ? '111111' : '000000');
    expect(wrong.status).toBe(303);
    const back = new URL(wrong.headers.get('location')!);
    expect([back.pathname, back.searchParams.get('sent')]).toEqual(['/sign-in', '1']);
    const page = await (await fetch(back)).text();
    expect(page).toContain('id="code-error"');
    expect(page).toContain('that code is wrong or has expired');
    expect(phone.cookies.has('sb-songswipe-auth-token')).toBe(false);

    const ok = await post(phone, otp);
    expect(ok.status).toBe(303);
    expect(new URL(ok.headers.get('location')!).pathname).toBe('/orders');
    expect((await fetch(`${base}/api/orders`, { headers: { cookie: phone.header() } })).status).toBe(200);
  });

  it('a used or foreign link goes back to /sign-in with no session; sign-out ends the session', async () => {
    const jar = new Jar();
    await askForLink(jar, 'lin@example.test');
    const landing = (await fetch(stub.lastEmailTo('lin@example.test')!.link, { redirect: 'manual' })).headers.get('location')!;
    const otherBrowser = new Jar();
    const foreign = otherBrowser.store(await fetch(landing, { redirect: 'manual' }));
    expect(foreign.status).toBe(303);
    expect(new URL(foreign.headers.get('location')!).pathname).toBe('/sign-in');
    expect(new URL(foreign.headers.get('location')!).searchParams.get('error')).toMatch(/invalid or has expired/);
    expect(otherBrowser.cookies.has('sb-songswipe-auth-token')).toBe(false);

    jar.store(await fetch(landing, { redirect: 'manual', headers: { cookie: jar.header() } }));
    expect((await fetch(`${base}/api/orders`, { headers: { cookie: jar.header() } })).status).toBe(200);
    const out = jar.store(await fetch(`${base}/api/auth/sign-out`, { method: 'POST', redirect: 'manual', headers: { cookie: jar.header(), origin: base } }));
    expect(out.status).toBe(303);
    expect(jar.cookies.has('sb-songswipe-auth-token')).toBe(false);
    expect((await fetch(`${base}/api/orders`, { headers: { cookie: jar.header() } })).status).toBe(401);
    expect(stub.calls.some((c) => c.method === 'POST' && c.path === '/logout')).toBe(true);
  });
});
