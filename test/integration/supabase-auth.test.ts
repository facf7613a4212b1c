/**
 * Supabase Auth sign-in at the wire (issue 12): the real `@supabase/ssr` +
 * `@supabase/supabase-js` clients against a local GoTrue stub whose ES256
 * tokens the app verifies through the stub's JWKS, exactly as against a real
 * project. The route handlers around these functions are driven over HTTP in
 * test/e2e/supabase-sign-in.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccessTokenVerifier } from '@/auth/jwt';
import { sessionAccessToken } from '@/auth/session';
import {
  type CookieJar,
  completeMagicLinkSignIn,
  hasSupabaseSessionCookie,
  requestMagicLink,
  SUPABASE_SESSION_COOKIE,
  type SupabaseAuthEnv,
  type SupabaseCookie,
  supabaseSessionAccessToken,
  verifyEmailCode,
} from '@/auth/supabase-auth';
import { parseEnv } from '@/config/env';
import { ensureUserByEmail, findUserIdByEmail } from '@/db/auth-users';
import { withTransaction } from '@/db/pool';
import { UnauthorizedError, ValidationError } from '@/errors';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { quietLog } from '../support/fixtures';
import { startSupabaseAuthStub, type SupabaseAuthStub } from '../support/supabase-auth-stub';

const APP = 'https://songswipe.example';
const PUBLISHABLE_KEY = 'sb_publishable_test_0123456789';

let db: TestDatabase;
let stub: SupabaseAuthStub;
let e: SupabaseAuthEnv;

/** A browser's cookie store: what the server set, sent back on the next request. */
function browserJar(): CookieJar & { cookies: Map<string, SupabaseCookie> } {
  const cookies = new Map<string, SupabaseCookie>();
  return {
    cookies,
    getAll: () => [...cookies.values()].map(({ name, value }) => ({ name, value })),
    setAll(list) {
      for (const c of list) {
        if (!c.value || c.options?.maxAge === 0) cookies.delete(c.name);
        else cookies.set(c.name, c);
      }
    },
  };
}

/** Follows the emailed link the way a mail client's browser would; the callback URL it lands on. */
async function openEmailLink(link: string): Promise<URL> {
  const res = await fetch(link, { redirect: 'manual' });
  expect(res.status).toBe(303);
  return new URL(res.headers.get('location')!);
}

beforeAll(async () => {
  db = await createTestDatabase();
  stub = await startSupabaseAuthStub({
    publishableKey: PUBLISHABLE_KEY,
    createUser: (email) => withTransaction(db.pool, (tx) => ensureUserByEmail(tx, email)),
  });
  e = parseEnv({
    SONGSWIPE_LOCAL_MODE: '1',
    STRIPE_WEBHOOK_SECRET: 'whsec_x',
    STORAGE_SIGNING_SECRET: 's'.repeat(40),
    SUPABASE_URL: stub.url,
    SUPABASE_PUBLISHABLE_KEY: PUBLISHABLE_KEY,
  }) as SupabaseAuthEnv;
});

afterAll(async () => {
  await stub?.close();
});

describe('magic link sign-in through @supabase/ssr (PKCE)', () => {
  it('emails a link; its code, exchanged in the same browser, becomes an httpOnly cookie session the JWKS verifier accepts', async () => {
    const browser = browserJar();
    const asked = await requestMagicLink(e, APP, browser, { email: 'Ada@Example.test', next: '/orders/abc' });
    expect(asked).toEqual({ email: 'Ada@Example.test', next: '/orders/abc' });

    // the code verifier waits in this browser's cookies, httpOnly
    const verifier = [...browser.cookies.values()].find((c) => c.name.includes('code-verifier'));
    expect(verifier?.options).toMatchObject({ httpOnly: true, sameSite: 'lax', secure: true, path: '/' });

    const mail = stub.lastEmailTo('ada@example.test')!;
    expect(mail.redirectTo).toBe(`${APP}/auth/callback?next=%2Forders%2Fabc`);
    const landing = await openEmailLink(mail.link);
    expect(`${landing.origin}${landing.pathname}`).toBe(`${APP}/auth/callback`);
    expect(landing.searchParams.get('code')).toBeTruthy();

    const next = await completeMagicLinkSignIn(e, APP, browser, landing.searchParams);
    expect(next).toBe('/orders/abc');
    const session = [...browser.cookies.values()].filter((c) => hasSupabaseSessionCookie([c.name]));
    expect(session.length).toBeGreaterThan(0);
    for (const c of session) expect(c.options).toMatchObject({ httpOnly: true, sameSite: 'lax', secure: true });
    // the SDK keeps a bounded ring of per-flow verifier slots; the legacy verifier key is gone
    expect(browser.cookies.has(`${SUPABASE_SESSION_COOKIE}-code-verifier`)).toBe(false);

    const token = await sessionAccessToken(browser.getAll());
    expect(token).toBeTruthy();
    const verify = createAccessTokenVerifier({ supabaseUrl: stub.url, log: quietLog });
    const claims = await verify.verify(token!);
    expect(claims.sub).toBe(await findUserIdByEmail(db.pool, 'ada@example.test'));
    expect(stub.calls.map((c) => `${c.method} ${c.path} ${c.status}`)).toEqual(
      expect.arrayContaining(['POST /otp 200', 'GET /verify 303', 'POST /token 200', 'GET /.well-known/jwks.json 200']),
    );
  });

  it('refuses a used code, a code opened in another browser (no verifier), and a forged link', async () => {
    const browser = browserJar();
    await requestMagicLink(e, APP, browser, { email: 'grace@example.test' });
    const landing = await openEmailLink(stub.lastEmailTo('grace@example.test')!.link);

    const elsewhere = browserJar();
    await expect(completeMagicLinkSignIn(e, APP, elsewhere, landing.searchParams)).rejects.toBeInstanceOf(UnauthorizedError);
    expect(await supabaseSessionAccessToken(elsewhere.getAll())).toBeUndefined();

    // the SDK refuses without a verifier before calling Supabase, so the code is still good here
    await completeMagicLinkSignIn(e, APP, browser, landing.searchParams);
    const again = browserJar();
    again.setAll(browser.getAll().filter((c) => !hasSupabaseSessionCookie([c.name])));
    await requestMagicLink(e, APP, again, { email: 'grace@example.test' }); // a fresh verifier, but the old code
    await expect(completeMagicLinkSignIn(e, APP, again, landing.searchParams)).rejects.toBeInstanceOf(UnauthorizedError);

    await expect(completeMagicLinkSignIn(e, APP, browserJar(), new URLSearchParams({ code: 'forged' }))).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(completeMagicLinkSignIn(e, APP, browserJar(), new URLSearchParams())).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('signs in with the token hash of an /auth/confirm link (verifyOtp), in any browser', async () => {
    await requestMagicLink(e, APP, browserJar(), { email: 'lin@example.test' });
    const mail = stub.lastEmailTo('lin@example.test')!;
    const phone = browserJar();
    const next = await completeMagicLinkSignIn(e, APP, phone, new URLSearchParams({ token_hash: mail.tokenHash, type: 'email', next: '//evil.example' }));
    expect(next).toBe('/orders'); // never off-site
    const token = await sessionAccessToken(phone.getAll());
    const claims = await createAccessTokenVerifier({ supabaseUrl: stub.url, log: quietLog }).verify(token!);
    expect(claims.sub).toBe(await findUserIdByEmail(db.pool, 'lin@example.test'));
    await expect(completeMagicLinkSignIn(e, APP, browserJar(), new URLSearchParams({ token_hash: mail.tokenHash, type: 'email' }))).rejects.toBeInstanceOf(
      UnauthorizedError,
    );
  });

  it("signs in on another device with the email's code; a wrong or malformed code is refused", async () => {
    await requestMagicLink(e, APP, browserJar(), { email: 'kim@example.test', next: '/songs/new' });
    const mail = stub.lastEmailTo('kim@example.test')!;
    expect(mail.otp).toMatch(/^\d{6}$/);
    const phone = browserJar();
    const wrong = mail.otp === '000000' ? '111111' : '000000';
    await expect(verifyEmailCode(e, APP, phone, { email: 'kim@example.test', code: wrong })).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(verifyEmailCode(e, APP, phone, { email: 'kim@example.test', code: '12ab' })).rejects.toBeInstanceOf(ValidationError);
    expect(await sessionAccessToken(phone.getAll())).toBeUndefined();

    expect(await verifyEmailCode(e, APP, phone, { email: 'kim@example.test', code: ` ${mail.otp} `, next: '/songs/new' })).toBe('/songs/new');
    const claims = await createAccessTokenVerifier({ supabaseUrl: stub.url, log: quietLog }).verify((await sessionAccessToken(phone.getAll()))!);
    expect(claims.sub).toBe(await findUserIdByEmail(db.pool, 'kim@example.test'));
    // a code works once
    await expect(verifyEmailCode(e, APP, browserJar(), { email: 'kim@example.test', code: mail.otp })).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('refuses a bad email before calling Supabase', async () => {
    const before = stub.calls.length;
    await expect(requestMagicLink(e, APP, browserJar(), { email: 'not-an-email' })).rejects.toBeInstanceOf(ValidationError);
    expect(stub.calls.length).toBe(before);
  });

  it('reads no session from a mangled or foreign cookie', async () => {
    expect(await supabaseSessionAccessToken([{ name: SUPABASE_SESSION_COOKIE, value: 'base64-!!!' }])).toBeUndefined();
    expect(await supabaseSessionAccessToken([{ name: SUPABASE_SESSION_COOKIE, value: '{"user":{}}' }])).toBeUndefined();
    expect(await supabaseSessionAccessToken([{ name: 'sb-other-auth-token', value: '{"access_token":"x"}' }])).toBeUndefined();
  });
});
