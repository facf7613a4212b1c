import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintAccessToken } from '../../src/auth/dev-tokens';
import { runDemoFlow, type DemoFlowResult } from '../../src/demo/demo-flow';
import { type BuiltServer, E2E_JWT_SECRET, startBuiltServer } from '../support/built-server';
import { signStripePayload } from '../../src/payments/dev-events';
import { isUuid } from '../../src/validation/uuid';
import { createTestDatabase, createUser, type TestDatabase } from '../support/database';
import { WEBHOOK_SECRET } from '../support/fixtures';

const JWT_SECRET = E2E_JWT_SECRET;
let db: TestDatabase;
let base: string;
let demo: DemoFlowResult;
let server: BuiltServer;
let logs: string[];
const rotatedTokens: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startBuiltServer(db.url);
  ({ base, logs } = server);
  demo = await runDemoFlow({
    baseUrl: base,
    databaseUrl: db.url,
    jwtSecret: JWT_SECRET,
    webhookSecret: WEBHOOK_SECRET,
    price: { amount: 2900, currency: 'usd' },
    timeoutMs: 90_000,
  });
}, 300_000);

afterAll(async () => {
  await server?.stop();
});

describe('the built server runs the main job over HTTP', () => {
  it('a paid checkout becomes three complete variants whose share links play decodable audio', () => {
    expect(demo.order.status).toBe('paid');
    expect(demo.order.generationStatus).toBe('complete');
    expect(demo.songs).toHaveLength(3);
    for (const [i, song] of demo.songs.entries()) {
      expect(song.shareUrl.startsWith(`${base}/s/`), song.shareUrl).toBe(true);
      expect(isUuid(song.shareUrl.slice(`${base}/s/`.length)), song.shareUrl).toBe(true);
      expect(song.shared).toMatchObject({ variantNumber: i + 1, occasion: 'birthday', recipientName: 'Maya' });
      expect(song.audio.durationMs).toBeGreaterThan(5900);
      expect(song.audio.rms).toBeGreaterThan(0.02);
    }
  });

  it('GET /api/ready answers 200, and GET /api/metrics reads real values after the order, with no order id in it', async () => {
    const ready = await fetch(`${base}/api/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true });
    const res = await fetch(`${base}/api/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    const value = (series: string) =>
      Number(
        text
          .split('\n')
          .find((l) => l.startsWith(`${series} `))
          ?.slice(series.length + 1),
      );
    expect(value('songswipe_provider_calls_recorded{outcome="success"}')).toBe(3);
    expect(value('songswipe_webhook_events{type="checkout.session.completed",outcome="fulfilled"}')).toBe(1);
    expect(value('songswipe_generation_paused')).toBe(0);
    expect(value('songswipe_dead_letters_open')).toBe(0);
    expect(text).not.toContain(demo.order.id);
  });

  it('serves the share page with a player, and the owner page', async () => {
    const page = await fetch(demo.songs[0]!.shareUrl);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Maya');
    expect(html).toMatch(/<audio[^>]+controls[^>]+src="http:\/\/localhost:\d+\/api\/storage\/songs\//);
    expect((await fetch(`${base}/s/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
    expect((await fetch(`${base}/orders/${demo.order.id}`)).status).toBe(200);
  });

  it('lists the caller’s orders, and hides them from everyone else with the same 404 as a missing one', async () => {
    const auth = { authorization: `Bearer ${demo.accessToken}` };
    const list = await (await fetch(`${base}/api/orders`, { headers: auth })).json();
    expect(list.orders.map((o: { id: string }) => o.id)).toEqual([demo.order.id]);
    expect(list.nextCursor).toBeNull();

    const other = await mintAccessToken(JWT_SECRET, await createUser(db.pool));
    const asOther = await fetch(`${base}/api/orders/${demo.order.id}`, { headers: { authorization: `Bearer ${other}` } });
    const missing = await fetch(`${base}/api/orders/00000000-0000-4000-8000-000000000000`, { headers: auth });
    const malformed = await fetch(`${base}/api/orders/not-a-uuid`, { headers: auth });
    expect([asOther.status, missing.status, malformed.status]).toEqual([404, 404, 404]);
    expect(await asOther.json()).toEqual(await missing.json());
    expect(await (await fetch(`${base}/api/orders`, { headers: { authorization: `Bearer ${other}` } })).json()).toEqual({ orders: [], nextCursor: null });
  });

  it('answers 401 for a missing, forged or expired token', async () => {
    const url = `${base}/api/orders/${demo.order.id}`;
    const missing = await fetch(url);
    expect([missing.status, await missing.json()]).toEqual([401, { error: { code: 'unauthorized', message: 'not signed in' } }]); // neither a bearer token nor a session cookie
    const forged = await mintAccessToken('some-other-secret-0123456789abcdefgh', demo.userId);
    const forgedRes = await fetch(url, { headers: { authorization: `Bearer ${forged}` } });
    expect([forgedRes.status, (await forgedRes.json()).error.code]).toEqual([401, 'unauthorized']);
    const expired = await mintAccessToken(JWT_SECRET, demo.userId, { expiresIn: '-1m' });
    const res = await fetch(url, { headers: { authorization: `Bearer ${expired}` } });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: { code: 'token_expired', message: 'access token expired' } });
  });

  it('validates customizations: 400 with field errors, 400 for bad JSON, 413 for a huge body', async () => {
    const headers = { authorization: `Bearer ${demo.accessToken}`, 'content-type': 'application/json' };
    const bad = await fetch(`${base}/api/customizations`, { method: 'POST', headers, body: JSON.stringify({ recipientName: '', occasionDate: '2026-13-45' }) });
    expect(bad.status).toBe(400);
    const body = await bad.json();
    expect(body.error.code).toBe('invalid_body');
    expect(Object.keys(body.error.fields)).toEqual(expect.arrayContaining(['recipientName', 'occasionDate', 'genre', 'mood', 'story', 'occasion']));
    const notJson = await fetch(`${base}/api/customizations`, { method: 'POST', headers, body: '{"recipientName":' });
    expect([notJson.status, await notJson.json()]).toEqual([400, { error: { code: 'invalid_body', message: 'body is not valid JSON' } }]);
    const huge = await fetch(`${base}/api/customizations`, { method: 'POST', headers, body: JSON.stringify({ story: 'x'.repeat(200_000) }) });
    expect([huge.status, (await huge.json()).error.code]).toEqual([413, 'payload_too_large']);
  });

  it('rejects a badly signed webhook with 400 and records nothing', async () => {
    const { rows: before } = await db.pool.query('select count(*)::int as n from public.stripe_events');
    const { body, signature } = await signStripePayload({ id: 'evt_forged', type: 'checkout.session.completed' }, 'whsec_attacker_secret_000000000000');
    const res = await fetch(`${base}/api/stripe/webhook`, { method: 'POST', headers: { 'stripe-signature': signature }, body });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: 'invalid_signature', message: 'invalid or stale Stripe signature' } });
    expect((await fetch(`${base}/api/stripe/webhook`, { method: 'POST', body })).status).toBe(400);
    const { rows: after } = await db.pool.query('select count(*)::int as n from public.stripe_events');
    expect(after[0].n).toBe(before[0].n);
  });

  it('share links: 404 alike for malformed and unknown tokens; signed audio URLs refuse tampering with 403', async () => {
    expect((await fetch(`${base}/api/share/not-a-token`)).status).toBe(404);
    expect((await fetch(`${base}/api/share/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
    const audioUrl = demo.songs[0]!.shared.audioUrl;
    expect((await fetch(audioUrl)).status).toBe(200);
    const sig = new URL(audioUrl).searchParams.get('sig')!;
    const flipped = `${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`;
    expect((await fetch(audioUrl.replace(`sig=${sig}`, `sig=${flipped}`))).status).toBe(403);
    expect((await fetch(audioUrl.replace('variant-1', 'variant-2'))).status).toBe(403);
    expect((await fetch(audioUrl.replace(/exp=\d+/, 'exp=1'))).status).toBe(403); // the signature covers the expiry
    const ranged = await fetch(audioUrl, { headers: { range: 'bytes=0-99' } });
    expect([ranged.status, ranged.headers.get('content-range'), (await ranged.arrayBuffer()).byteLength]).toEqual([
      206,
      `bytes 0-99/${demo.songs[0]!.bytes}`,
      100,
    ]);
  });

  it('local dev checkout (local mode, no Stripe key): POST /api/checkout, the dev page, the owner pays with a delayed method, then generation', async () => {
    const auth = { authorization: `Bearer ${demo.accessToken}`, 'content-type': 'application/json' };
    const body = JSON.stringify({
      recipientName: 'Sam',
      occasion: 'anniversary',
      occasionDate: '2027-02-14',
      genre: 'soul',
      mood: 'tender',
      story: 'Ten years.',
    });
    const { id: customizationId } = await (await fetch(`${base}/api/customizations`, { method: 'POST', headers: auth, body })).json();
    const checkout = await fetch(`${base}/api/checkout`, { method: 'POST', headers: auth, body: JSON.stringify({ customizationId }) });
    expect(checkout.status).toBe(200);
    const { url, orderId } = await checkout.json();
    expect(url).toMatch(new RegExp(`^${base}/dev/checkout/cs_test_dev_`));
    const order = async () => (await fetch(`${base}/api/orders/${orderId}`, { headers: auth })).json();
    expect(await order()).toMatchObject({ id: orderId, status: 'pending_payment', generationStatus: 'queued' });

    const page = await fetch(url);
    expect(await page.text()).toContain('Pay with a delayed method');
    const sessionId = new URL(url).pathname.split('/').pop();
    const pay = (headers: Record<string, string>, method: string) =>
      fetch(`${base}/api/dev/checkout/${sessionId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ method }),
      });
    expect((await pay({}, 'card')).status).toBe(404); // a dev session id is not a bearer capability
    const paid = await pay(auth, 'delayed');
    expect(await paid.json()).toEqual({ redirectUrl: `${base}/orders/${orderId}?checkout=success` });
    expect((await order()).status).toBe('awaiting_payment');
    const deadline = Date.now() + 60_000;
    let view = await order();
    while (view.generationStatus !== 'complete' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      view = await order();
    }
    expect(view).toMatchObject({ status: 'paid', generationStatus: 'complete' });
    expect((await pay(auth, 'card')).status).toBe(409);
  });

  it('refuses a webhook body over 1 MB with 413', async () => {
    const res = await fetch(`${base}/api/stripe/webhook`, { method: 'POST', headers: { 'stripe-signature': 't=1,v1=x' }, body: 'x'.repeat(1024 * 1024 + 1) });
    expect(res.status).toBe(413);
  });

  it('the owner can rotate a share link (the old one dies) and switch sharing off; nobody else can', async () => {
    const auth = { authorization: `Bearer ${demo.accessToken}` };
    const order = async () => (await fetch(`${base}/api/orders/${demo.order.id}`, { headers: auth })).json();
    const [v1, v2] = (await order()).variants;
    const oldToken = new URL(v1.shareUrl).pathname.split('/').pop()!;

    const other = await mintAccessToken(JWT_SECRET, await createUser(db.pool));
    expect((await fetch(`${base}/api/variants/${v1.id}/share-token`, { method: 'POST', headers: { authorization: `Bearer ${other}` } })).status).toBe(404);
    expect((await fetch(`${base}/api/variants/${v1.id}/share-token`, { method: 'POST' })).status).toBe(401);
    expect((await fetch(`${base}/api/variants/not-a-uuid/share-token`, { method: 'POST', headers: auth })).status).toBe(404);

    const rotated = await fetch(`${base}/api/variants/${v1.id}/share-token`, { method: 'POST', headers: auth });
    const { shareUrl } = await rotated.json();
    const newToken = new URL(shareUrl).pathname.split('/').pop()!;
    rotatedTokens.push(newToken);
    expect(newToken).not.toBe(oldToken);
    expect((await fetch(`${base}/api/share/${oldToken}`)).status).toBe(404);
    expect((await fetch(`${base}/s/${oldToken}`)).status).toBe(404);
    expect((await fetch(`${base}/api/share/${newToken}`)).status).toBe(200);

    const disabled = await fetch(`${base}/api/variants/${v2.id}/share-token`, { method: 'DELETE', headers: auth });
    expect(await disabled.json()).toEqual({ sharingEnabled: false });
    expect((await fetch(`${base}/api/share/${new URL(v2.shareUrl).pathname.split('/').pop()}`)).status).toBe(404);
    const after = await order();
    expect(after.variants[1]).toMatchObject({ sharingEnabled: false });
    expect(after.variants[1]).not.toHaveProperty('shareUrl');
    expect(after.variants[1].audioUrl).toBeTruthy(); // the owner still plays it
    expect(after.variants[0].shareUrl).toBe(shareUrl);
  });

  it('admin API: app_metadata admins only; failed jobs, retry and resume answer over HTTP', async () => {
    const admin = await mintAccessToken(JWT_SECRET, await createUser(db.pool), { appMetadata: { role: 'admin' } });
    const fake = await mintAccessToken(JWT_SECRET, await createUser(db.pool), { userMetadata: { role: 'admin' } });
    const as = (t: string) => ({ authorization: `Bearer ${t}` });
    const notAdmin = await fetch(`${base}/api/admin/failed-jobs`, { headers: as(fake) });
    expect([notAdmin.status, await notAdmin.json()]).toEqual([403, { error: { code: 'forbidden', message: 'admin only' } }]);
    expect((await fetch(`${base}/api/admin/failed-jobs`, { headers: as(demo.accessToken) })).status).toBe(403);
    expect((await fetch(`${base}/api/admin/failed-jobs`)).status).toBe(401);
    const jobs = await fetch(`${base}/api/admin/failed-jobs`, { headers: as(admin) });
    expect([jobs.status, await jobs.json()]).toEqual([200, []]);
    const retry = await fetch(`${base}/api/admin/orders/${demo.order.id}/variants/1/retry`, { method: 'POST', headers: as(admin) });
    expect([retry.status, await retry.json()]).toEqual([409, { error: { code: 'conflict', message: 'variant 1 is complete, not failed' } }]);
    expect((await fetch(`${base}/api/admin/orders/${demo.order.id}/variants/1/retry`, { method: 'POST', headers: as(fake) })).status).toBe(403);
    const resume = await fetch(`${base}/api/admin/queue/resume`, { method: 'POST', headers: as(admin) });
    expect(await resume.json()).toEqual({ resumed: false });
  });

  it('never writes a share token, JWT or webhook secret to the web or worker logs', () => {
    expect(logs.length).toBeGreaterThan(5);
    const all = logs.join('\n');
    for (const song of demo.songs) expect(all).not.toContain(new URL(song.shareUrl).pathname.split('/').pop()!);
    for (const token of rotatedTokens) expect(all).not.toContain(token);
    expect(all).not.toContain(demo.accessToken);
    expect(all).not.toContain('@songswipe.test'); // customer emails
    expect(all).not.toContain('fell off the board'); // the customization's story
    expect(all).not.toContain(WEBHOOK_SECRET);
    expect(all).not.toContain(JWT_SECRET);
  });
});
