/**
 * Bad input at every route of the built server, table-driven. Each case must
 * get a clear 4xx with the one error body, `{ error: { code, message } }`, whose
 * stable code says what was wrong (pages: a 404 page), never a 500, never a
 * stack trace or SQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintAccessToken } from '../../src/auth/dev-tokens';
import { ERROR_STATUS, type ErrorCode } from '../../src/errors';
import { signStripePayload } from '../../src/payments/dev-events';
import { isUuid } from '../../src/validation/uuid';
import { type BuiltServer, E2E_JWT_SECRET, startBuiltServer } from '../support/built-server';
import { createTestDatabase, createUser, type TestDatabase } from '../support/database';
import { createCustomizationRow, eventually, paidEvent, WEBHOOK_SECRET } from '../support/fixtures';

let db: TestDatabase;
let server: BuiltServer;
let token: string;
let adminToken: string;
let userId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startBuiltServer(db.url);
  userId = await createUser(db.pool);
  token = await mintAccessToken(E2E_JWT_SECRET, userId);
  adminToken = await mintAccessToken(E2E_JWT_SECRET, await createUser(db.pool), { appMetadata: { role: 'admin' } });
}, 300_000);

afterAll(async () => {
  await server?.stop();
});

const valid = { recipientName: 'Ada', occasion: 'birthday', occasionDate: '2027-03-01', genre: 'folk', mood: 'warm', story: 'A story.' };
// biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection attempt, sent as literal text on purpose
const INJECTION = [`'); drop table public.orders; --`, `" or 1=1 --`, `<script>alert(1)</script>`, `{{7*7}}`, '${process.env}', '../../etc/passwd'];
const UNICODE = ['Zoë 🎂', 'مرحبا', '李小龙', 'e\u0301', '\u202Eevil', '𝓐𝓭𝓪'];

type Case = {
  name: string;
  method: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
  auth?: boolean | 'admin';
  status: number;
  code: ErrorCode;
};

const json = (v: unknown) => JSON.stringify(v);
// biome-ignore format: one case a line reads as a table
const cases: Case[] = [
  // POST /api/customizations
  { name: 'malformed JSON', method: 'POST', path: '/api/customizations', body: '{"recipientName":', auth: true, status: 400, code: 'invalid_body' },
  { name: 'JSON array', method: 'POST', path: '/api/customizations', body: '[]', auth: true, status: 400, code: 'invalid_body' },
  { name: 'JSON null', method: 'POST', path: '/api/customizations', body: 'null', auth: true, status: 400, code: 'invalid_body' },
  { name: 'empty body', method: 'POST', path: '/api/customizations', body: '', auth: true, status: 400, code: 'invalid_body' },
  { name: 'numbers for strings', method: 'POST', path: '/api/customizations', body: json({ ...valid, recipientName: 42, story: 7 }), auth: true, status: 400, code: 'invalid_body' },
  { name: 'object for a string', method: 'POST', path: '/api/customizations', body: json({ ...valid, genre: { $ne: null } }), auth: true, status: 400, code: 'invalid_body' },
  { name: 'missing fields', method: 'POST', path: '/api/customizations', body: json({ recipientName: 'A' }), auth: true, status: 400, code: 'invalid_body' },
  { name: 'unknown field', method: 'POST', path: '/api/customizations', body: json({ ...valid, userId: 'someone-else' }), auth: true, status: 400, code: 'invalid_body' },
  { name: 'date in the wrong format', method: 'POST', path: '/api/customizations', body: json({ ...valid, occasionDate: '01/03/2027' }), auth: true, status: 400, code: 'invalid_body' },
  { name: 'impossible date', method: 'POST', path: '/api/customizations', body: json({ ...valid, occasionDate: '2027-02-30' }), auth: true, status: 400, code: 'invalid_body' },
  { name: 'year 0000', method: 'POST', path: '/api/customizations', body: json({ ...valid, occasionDate: '0000-01-01' }), auth: true, status: 400, code: 'invalid_body' },
  { name: 'NUL byte in text', method: 'POST', path: '/api/customizations', body: json({ ...valid, story: 'a\u0000b' }), auth: true, status: 400, code: 'invalid_body' },
  { name: 'story over 2000 characters', method: 'POST', path: '/api/customizations', body: json({ ...valid, story: 'x'.repeat(2001) }), auth: true, status: 400, code: 'invalid_body' },
  { name: 'whitespace-only name', method: 'POST', path: '/api/customizations', body: json({ ...valid, recipientName: '   ' }), auth: true, status: 400, code: 'invalid_body' },
  { name: 'huge body', method: 'POST', path: '/api/customizations', body: json({ ...valid, story: 'x'.repeat(300_000) }), auth: true, status: 413, code: 'payload_too_large' },
  { name: 'no token', method: 'POST', path: '/api/customizations', body: json(valid), status: 401, code: 'unauthorized' },
  { name: 'garbage token', method: 'POST', path: '/api/customizations', body: json(valid), headers: { authorization: 'Bearer not-a-jwt' }, status: 401, code: 'unauthorized' },
  // POST /api/checkout
  { name: 'checkout: malformed JSON', method: 'POST', path: '/api/checkout', body: '{', auth: true, status: 400, code: 'invalid_body' },
  { name: 'checkout: non-UUID id', method: 'POST', path: '/api/checkout', body: json({ customizationId: "1' or '1'='1" }), auth: true, status: 400, code: 'invalid_body' },
  { name: 'checkout: number id', method: 'POST', path: '/api/checkout', body: json({ customizationId: 1 }), auth: true, status: 400, code: 'invalid_body' },
  { name: 'checkout: unknown customization', method: 'POST', path: '/api/checkout', body: json({ customizationId: '00000000-0000-4000-8000-000000000000' }), auth: true, status: 404, code: 'not_found' },
  { name: 'checkout: huge body', method: 'POST', path: '/api/checkout', body: 'x'.repeat(100_000), auth: true, status: 413, code: 'payload_too_large' },
  // GET /api/orders/:id, /api/share/:token and the other routes taking an id:
  // every one checks it with the same UUID validator, so look-alikes (36 dashes,
  // 36 hex digits) are a 404 like any other bad id, never a failed SQL cast (400)
  ...['not-a-uuid', "1'%20or%20'1'%3D'1", '..%2F..%2Fetc%2Fpasswd', '%00', '00000000-0000-4000-8000-000000000000', '%3Cscript%3E', '-'.repeat(36), 'a'.repeat(36)].flatMap((id): Case[] => [
    { name: `order id ${id}`, method: 'GET', path: `/api/orders/${id}`, auth: true, status: 404, code: 'not_found' },
    { name: `share token ${id}`, method: 'GET', path: `/api/share/${id}`, status: 404, code: 'not_found' },
    { name: `share-token rotation of ${id}`, method: 'POST', path: `/api/variants/${id}/share-token`, auth: true, status: 404, code: 'not_found' },
    { name: `admin retry of order ${id}`, method: 'POST', path: `/api/admin/orders/${id}/variants/1/retry`, auth: 'admin', status: 404, code: 'not_found' },
  ]),
  // admin routes
  { name: 'admin route, not an admin', method: 'GET', path: '/api/admin/failed-jobs', auth: true, status: 403, code: 'forbidden' },
  { name: 'admin retry of variant 9', method: 'POST', path: '/api/admin/orders/00000000-0000-4000-8000-000000000000/variants/9/retry', auth: 'admin', status: 400, code: 'invalid_request' },
  // the admin retry's optional replacement prompt (issue 14)
  ...([
    ['prompt over 2000 characters', json({ prompt: 'x'.repeat(2001) })],
    ['empty prompt', json({ prompt: '  ' })],
    ['prompt with a control character', json({ prompt: 'a\u0000b' })],
    ['prompt not a string', json({ prompt: ['x'] })],
    ['prompt and useSuggestion', json({ prompt: 'x', useSuggestion: true })],
    ['unknown retry field', json({ story: 'x' })],
    ['malformed retry JSON', '{"prompt":'],
  ] as const).map(([name, body]): Case => ({ name: `admin retry: ${name}`, method: 'POST', path: '/api/admin/orders/00000000-0000-4000-8000-000000000000/variants/1/retry', body, auth: 'admin', status: 400, code: 'invalid_body' })),
  // GET /api/storage/<key>
  { name: 'storage: traversal', method: 'GET', path: '/api/storage/..%2F..%2Fetc%2Fpasswd?exp=9999999999&sig=x', status: 403, code: 'forbidden' },
  // the URL parser folds the dots, so this leaves /api/storage altogether
  { name: 'storage: encoded dots', method: 'GET', path: '/api/storage/songs/%2e%2e/%2e%2e/package.json?exp=9999999999&sig=x', status: 404, code: 'not_found' },
  { name: 'unknown API route', method: 'GET', path: '/api/nope', status: 404, code: 'not_found' },
  { name: 'storage: no signature', method: 'GET', path: '/api/storage/songs/x/variant-1.mp3', status: 403, code: 'forbidden' },
  { name: 'storage: garbage expiry', method: 'GET', path: '/api/storage/songs/x/variant-1.mp3?exp=soon&sig=abc', status: 403, code: 'forbidden' },
  // the Pages API route's wrapper (src/server/pages-route.ts) refuses other methods
  { name: 'storage: wrong method', method: 'POST', path: '/api/storage/songs/x/variant-1.mp3', body: '{}', status: 404, code: 'not_found' },
  // POST /api/stripe/webhook
  { name: 'webhook: no signature', method: 'POST', path: '/api/stripe/webhook', body: json({ id: 'evt_1' }), status: 400, code: 'invalid_signature' },
  { name: 'webhook: garbage signature', method: 'POST', path: '/api/stripe/webhook', body: json({ id: 'evt_1' }), headers: { 'stripe-signature': 'nonsense' }, status: 400, code: 'invalid_signature' },
  { name: 'webhook: over 1 MB', method: 'POST', path: '/api/stripe/webhook', body: 'x'.repeat(1_100_000), headers: { 'stripe-signature': 't=1,v1=x' }, status: 413, code: 'payload_too_large' },
  // dev checkout
  { name: 'dev checkout: unknown session', method: 'POST', path: '/api/dev/checkout/cs_test_dev_nope', body: json({ method: 'card' }), status: 404, code: 'not_found' },
  { name: 'dev checkout: traversal session', method: 'POST', path: '/api/dev/checkout/..%2F..%2Fapi%2Forders', body: json({ method: 'card' }), status: 404, code: 'not_found' },
];

async function send(c: Pick<Case, 'method' | 'path' | 'body' | 'headers' | 'auth'>): Promise<Response> {
  return fetch(`${server.base}${c.path}`, {
    method: c.method,
    headers: { 'content-type': 'application/json', ...(c.auth && { authorization: `Bearer ${c.auth === 'admin' ? adminToken : token}` }), ...c.headers },
    body: c.body,
  });
}

describe(`bad input: ${cases.length} malformed requests across every route`, () => {
  it.each(cases.map((c) => [c.name, c.method, c.path.slice(0, 60), c.status, c.code, c] as const))(
    '%s (%s %s) → %i %s',
    async (_n, _m, _p, status, code, c) => {
      const res = await send(c);
      const text = await res.text();
      expect(res.status).toBe(status);
      expect(ERROR_STATUS[code]).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      expect(res.headers.get('x-request-id')).toBeTruthy();
      const { error } = JSON.parse(text);
      expect(error).toMatchObject({ code, message: expect.any(String) });
      expect(Object.keys(error).filter((k) => !['code', 'message', 'fields'].includes(k))).toEqual([]);
      expect(text).not.toMatch(/\bat \S+ \(|\.ts:\d+|\.js:\d+|select |insert into|syntax error|node_modules/i);
    },
  );

  it('answers an expired token with 401 token_expired', async () => {
    const expired = await mintAccessToken(E2E_JWT_SECRET, userId, { expiresIn: '-1m' });
    const res = await send({ method: 'GET', path: '/api/orders', headers: { authorization: `Bearer ${expired}` } });
    expect([res.status, await res.json()]).toEqual([401, { error: { code: 'token_expired', message: 'access token expired' } }]);
  });

  it('echoes a safe x-request-id and replaces an unsafe one', async () => {
    const safe = await send({ method: 'GET', path: '/api/nope', headers: { 'x-request-id': 'req-42.a:b_c' } });
    expect(safe.headers.get('x-request-id')).toBe('req-42.a:b_c');
    for (const unsafe of ['a b', 'x'.repeat(129), '<script>', "a'b", 'a;b=c']) {
      const res = await send({ method: 'GET', path: '/api/orders', auth: true, headers: { 'x-request-id': unsafe } });
      expect(res.status).toBe(200);
      expect(isUuid(res.headers.get('x-request-id'))).toBe(true);
    }
    const generated = await Promise.all([send({ method: 'GET', path: '/api/nope' }), send({ method: 'GET', path: '/api/nope' })]);
    expect(generated[0].headers.get('x-request-id')).not.toBe(generated[1].headers.get('x-request-id'));
  });

  it.each([...INJECTION, ...UNICODE])('stores customer text verbatim and safely: %s', async (value) => {
    const res = await send({
      method: 'POST',
      path: '/api/customizations',
      auth: true,
      body: json({ ...valid, recipientName: value, story: value, mood: value.slice(0, 50) }),
    });
    expect(res.status).toBe(201);
    const { id } = await res.json();
    const { rows } = await db.pool.query('select recipient_name, story from public.customizations where id = $1', [id]);
    expect(rows[0]).toEqual({ recipient_name: value.trim(), story: value.trim() });
    const { rows: tables } = await db.pool.query(`select count(*)::int as n from pg_tables where schemaname = 'public' and tablename = 'orders'`);
    expect(tables[0].n).toBe(1);
  });

  it('pages escape customer text', async () => {
    const hostile = `<script>alert(1)</script><img src=x onerror=alert(2)>`;
    const customization = await createCustomizationRow(db.pool, userId, { recipient_name: hostile, occasion: '<b>bold</b>' });
    const { body, signature } = await signStripePayload(paidEvent(userId, customization), WEBHOOK_SECRET);
    expect((await fetch(`${server.base}/api/stripe/webhook`, { method: 'POST', headers: { 'stripe-signature': signature }, body })).status).toBe(200);
    const shareToken = await eventually(
      async () => {
        const { rows } = await db.pool.query(
          `select v.share_token from public.song_variants v join public.orders o on o.id = v.order_id
         where o.customization_id = $1 and v.generation_status = 'complete' limit 1`,
          [customization],
        );
        return rows[0]?.share_token as string | undefined;
      },
      60_000,
      'a complete variant',
    );
    const html = await (await fetch(`${server.base}/s/${shareToken}`)).text();
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;b&gt;bold&lt;/b&gt;');
  });
});
