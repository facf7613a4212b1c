/**
 * The customer's API over HTTP against the production build (issue 12): the
 * dev sign-in's session cookie, the Origin check on cookie-authenticated state
 * changes, choosing a favourite, order pages by cursor, and the audio headers
 * every browser's player needs.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintAccessToken } from '../../src/auth/dev-tokens';
import { runDemoFlow, type DemoFlowResult } from '../../src/demo/demo-flow';
import type { OrderPage, OrderView } from '../../src/delivery/order-view';
import { insertPendingOrder } from '../../src/db/orders';
import { type BuiltServer, E2E_JWT_SECRET, startBuiltServer } from '../support/built-server';
import { createTestDatabase, createUser, type TestDatabase } from '../support/database';
import { createCustomizationRow, PRICE, WEBHOOK_SECRET } from '../support/fixtures';

let db: TestDatabase;
let server: BuiltServer;
let base: string;
let demo: DemoFlowResult;
let owner: Record<string, string>;

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startBuiltServer(db.url);
  base = server.base;
  demo = await runDemoFlow({ baseUrl: base, databaseUrl: db.url, jwtSecret: E2E_JWT_SECRET, webhookSecret: WEBHOOK_SECRET, price: PRICE, timeoutMs: 90_000 });
  owner = { authorization: `Bearer ${demo.accessToken}` };
}, 300_000);

afterAll(async () => {
  await server?.stop();
});

/** Signs in through the dev sign-in form; the session cookie (`name=value`) and the raw Set-Cookie header. */
async function devSignIn(email: string, headers: Record<string, string> = { origin: base }) {
  const res = await fetch(`${base}/api/auth/dev-sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({ email, next: '/orders' }),
  });
  const setCookie = res.headers.get('set-cookie') ?? '';
  return { res, setCookie, cookie: setCookie.split(';')[0]! };
}

describe('audio from the local storage route', () => {
  const expectAudioHeaders = (res: Response, length: number) => {
    expect(res.headers.get('content-length')).toBe(String(length));
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('content-type')).toBe('audio/mpeg');
  };

  it('200, 206 and HEAD all carry Content-Length, Accept-Ranges and the content type; HEAD has no body', async () => {
    const url = demo.order.variants[0]!.audioUrl!;
    const size = demo.songs[0]!.bytes;

    const full = await fetch(url);
    expect(full.status).toBe(200);
    expectAudioHeaders(full, size);
    expect((await full.arrayBuffer()).byteLength).toBe(size);

    const first = await fetch(url, { headers: { range: 'bytes=0-0' } });
    expect(first.status).toBe(206);
    expect(first.headers.get('content-range')).toBe(`bytes 0-0/${size}`);
    expectAudioHeaders(first, 1);
    expect((await first.arrayBuffer()).byteLength).toBe(1);

    const tail = await fetch(url, { headers: { range: 'bytes=-100' } });
    expect(tail.status).toBe(206);
    expectAudioHeaders(tail, 100);
    expect((await tail.arrayBuffer()).byteLength).toBe(100);

    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expectAudioHeaders(head, size);
    expect((await head.arrayBuffer()).byteLength).toBe(0);
  });
});

describe('dev sign-in and the session cookie', () => {
  it('creates the auth user once and sets an httpOnly, SameSite=Lax cookie the API accepts', async () => {
    const email = `Cookie-${randomUUID().slice(0, 8)}@Example.test`;
    const first = await devSignIn(email);
    expect(first.res.status).toBe(303);
    expect(first.res.headers.get('location')).toBe(`${base}/orders`);
    expect(first.setCookie).toMatch(/^songswipe_session=eyJ[^;]+;/);
    expect(first.setCookie).toMatch(/; HttpOnly/i);
    expect(first.setCookie).toMatch(/; SameSite=lax/i);
    expect(first.setCookie).toMatch(/; Path=\//);
    await devSignIn(email.toLowerCase());
    const { rows } = await db.pool.query('select id from auth.users where lower(email) = lower($1)', [email]);
    expect(rows).toHaveLength(1);

    const list = await fetch(`${base}/api/orders`, { headers: { cookie: first.cookie } });
    expect(list.status).toBe(200);
    expect(await list.json()).toEqual({ orders: [], nextCursor: null });
    expect((await fetch(`${base}/api/orders`, { headers: { cookie: 'songswipe_session=not-a-jwt' } })).status).toBe(401);
  });

  it("the demo's owner link carries no token, and the dev sign-in it opens lands on the order", async () => {
    const link = new URL(demo.ownerPageUrl);
    expect(link.pathname).toBe('/sign-in');
    expect(link.hash).toBe('');
    expect([...link.searchParams.keys()].sort()).toEqual(['email', 'next']);
    expect(demo.ownerPageUrl).not.toMatch(/eyJ|token/i);
    const form = await (await fetch(link)).text();
    expect(form).toContain(`value="${link.searchParams.get('email')}"`);
    const { res, cookie } = await devSignIn(link.searchParams.get('email')!, { origin: base });
    expect(res.status).toBe(303);
    const order = await fetch(`${base}${link.searchParams.get('next')}`, { headers: { cookie } });
    expect(order.status).toBe(200);
    expect(new URL(order.url).pathname).toBe(`/orders/${demo.order.id}`);
  });

  it('refuses a sign-in posted from another site, and a bad email goes back to the form', async () => {
    const crossSite = await devSignIn('victim@example.test', { origin: 'https://evil.example' });
    expect(crossSite.res.status).toBe(403);
    expect(crossSite.setCookie).toBe('');
    const bad = await devSignIn('not-an-email');
    expect(bad.res.status).toBe(303);
    expect(new URL(bad.res.headers.get('location')!).pathname).toBe('/sign-in');
    expect(bad.setCookie).toBe('');
  });

  it('a cross-site POST carrying the cookie is refused and writes nothing; our own origin and Bearer clients pass', async () => {
    const { cookie } = await devSignIn(`csrf-${randomUUID().slice(0, 8)}@example.test`);
    const body = JSON.stringify({ recipientName: 'Ana', occasion: 'birthday', occasionDate: '2027-01-02', genre: 'pop', mood: 'happy', story: 'x' });
    const post = (headers: Record<string, string>) =>
      fetch(`${base}/api/customizations`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const before = (await db.pool.query('select count(*)::int as n from public.customizations')).rows[0].n;
    expect((await post({ cookie, origin: 'https://evil.example' })).status).toBe(403);
    expect((await post({ cookie })).status).toBe(403); // no Origin at all
    expect((await post({ cookie, origin: 'null', 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await db.pool.query('select count(*)::int as n from public.customizations')).rows[0].n).toBe(before);
    expect((await post({ cookie, origin: base })).status).toBe(201);
    expect((await post({ cookie, origin: 'null', 'sec-fetch-site': 'same-origin' })).status).toBe(201); // a no-referrer page of ours
    expect((await post(owner)).status).toBe(201); // API clients send no Origin
  });
});

describe('PUT /api/orders/:id/favourite', () => {
  const choose = (orderId: string, variantNumber: unknown, headers = owner) =>
    fetch(`${base}/api/orders/${orderId}/favourite`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ variantNumber }),
    });
  const selected = async (orderId: string) =>
    (await db.pool.query('select variant_number from public.song_variants where order_id = $1 and selected', [orderId])).rows.map((r) => r.variant_number);

  it('the owner chooses a complete variant; choosing another moves it; the order view says which', async () => {
    const id = demo.order.id;
    const res = await choose(id, 2);
    expect(res.status).toBe(200);
    expect(((await res.json()) as OrderView).variants.map((v) => v.selected)).toEqual([false, true, false]);
    expect((await choose(id, 3)).status).toBe(200);
    expect(await selected(id)).toEqual([3]);
    const view = (await (await fetch(`${base}/api/orders/${id}`, { headers: owner })).json()) as OrderView;
    expect(view.variants.map((v) => v.selected)).toEqual([false, false, true]);
    // concurrent choices end with exactly one favourite
    const answers = await Promise.all([1, 2, 3, 1, 2].map((n) => choose(id, n)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(await selected(id)).toHaveLength(1);
  });

  it('another user, a missing order, an incomplete variant and a bad body change nothing', async () => {
    const id = demo.order.id;
    await choose(id, 1);
    const other = { authorization: `Bearer ${await mintAccessToken(E2E_JWT_SECRET, await createUser(db.pool))}` };
    expect((await choose(id, 2, other)).status).toBe(404);
    expect((await choose(randomUUID(), 2)).status).toBe(404);
    expect((await choose(id, 4)).status).toBe(409); // there is no variant 4
    await db.pool.query(`update public.song_variants set generation_status = 'failed' where order_id = $1 and variant_number = 3`, [id]);
    expect((await choose(id, 3)).status).toBe(409);
    await db.pool.query(`update public.song_variants set generation_status = 'complete' where order_id = $1 and variant_number = 3`, [id]);
    expect((await choose(id, 'two')).status).toBe(400);
    expect(await selected(id)).toEqual([1]);
  });
});

describe('GET /api/orders?cursor=', () => {
  it('pages through the caller’s orders newest first, each once', async () => {
    const userId = await createUser(db.pool);
    const ids: string[] = [];
    for (let i = 0; i < 45; i++) {
      const customizationId = await createCustomizationRow(db.pool, userId, { recipient_name: `R${i}` });
      const id = randomUUID();
      await insertPendingOrder(db.pool, {
        id,
        userId,
        customizationId,
        stripeSessionId: `cs_test_page_${id}`,
        amount: 2900,
        currency: 'usd',
        occasionDate: '2027-01-01',
        livemode: false,
        checkoutUrl: 'https://checkout.example/x',
        checkoutExpiresAt: new Date(Date.now() + 3600_000),
      });
      ids.push(id);
    }
    // equal timestamps too: the id breaks the tie
    await db.pool.query(`update public.orders set created_at = '2026-01-01T00:00:00.123456Z' where id = any($1)`, [ids.slice(10, 30)]);
    const auth = { authorization: `Bearer ${await mintAccessToken(E2E_JWT_SECRET, userId)}` };
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = (await (await fetch(`${base}/api/orders${cursor ? `?cursor=${cursor}` : ''}`, { headers: auth })).json()) as OrderPage;
      seen.push(...page.orders.map((o) => o.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(45);
    const { rows } = await db.pool.query('select id from public.orders where user_id = $1 order by created_at desc, id desc', [userId]);
    expect(seen).toEqual(rows.map((r) => r.id));
    expect((await fetch(`${base}/api/orders?cursor=garbage`, { headers: auth })).status).toBe(400);
  });
});
