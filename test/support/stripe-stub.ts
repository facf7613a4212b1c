import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The form body the SDK sent, flattened (`metadata[user_id]` → value). */
  form: Record<string, string>;
}

/** The fields of a Stripe webhook endpoint that `npm run doctor` reads. */
export interface StubWebhookEndpoint {
  id: string;
  url: string;
  livemode: boolean;
  status: 'enabled' | 'disabled';
  enabled_events: string[];
}

/**
 * A local HTTP stand-in for the Stripe API, speaking its wire format for
 * `POST /v1/checkout/sessions`: form-encoded request, JSON checkout session
 * reply, and idempotency-key replay (the same key returns the same session);
 * and `POST /v1/checkout/sessions/:id/expire`; `GET /v1/webhook_endpoints`,
 * listing `webhookEndpoints`; and `GET /v1/checkout/sessions` (status,
 * `created[gte]`, `limit`, `starting_after`), listing `checkoutSessions`.
 * `beforeCreate`, when set, runs before a session is created: a test's way to
 * make something happen while the app waits on Stripe.
 */
export async function startStripeStub() {
  const requests: StubRequest[] = [];
  const webhookEndpoints: StubWebhookEndpoint[] = [];
  const checkoutSessions: Array<Record<string, unknown> & { id: string; created: number; status: string }> = [];
  const byIdempotencyKey = new Map<string, string>();
  const hooks: { beforeCreate: (() => Promise<void>) | null } = { beforeCreate: null };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', async () => {
      const form = Object.fromEntries(new URLSearchParams(body));
      requests.push({ method: req.method!, path: req.url!, headers: req.headers, form });
      const expire = req.method === 'POST' && /^\/v1\/checkout\/sessions\/(cs_[A-Za-z0-9_]+)\/expire$/.exec(req.url!);
      if (expire) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: expire[1], object: 'checkout.session', status: 'expired', payment_status: 'unpaid', url: null }));
        return;
      }
      if (req.method === 'POST' && req.url === '/v1/checkout/sessions') {
        await hooks.beforeCreate?.();
        const key = req.headers['idempotency-key'] as string | undefined;
        const replay = key && byIdempotencyKey.get(key);
        const json =
          replay ??
          JSON.stringify({
            id: `cs_test_stub_${randomBytes(12).toString('hex')}`,
            object: 'checkout.session',
            mode: form.mode,
            status: 'open',
            payment_status: 'unpaid',
            amount_total: Number(form['line_items[0][price_data][unit_amount]']),
            currency: form['line_items[0][price_data][currency]'],
            client_reference_id: form.client_reference_id,
            allow_promotion_codes: form.allow_promotion_codes === 'true' ? true : null,
            metadata: { user_id: form['metadata[user_id]'], customization_id: form['metadata[customization_id]'] },
            url: `https://checkout.stripe.test/c/pay/${randomBytes(8).toString('hex')}`,
            expires_at: Math.floor(Date.now() / 1000) + 24 * 3600,
            livemode: false,
          });
        if (key) byIdempotencyKey.set(key, json);
        res.writeHead(200, { 'content-type': 'application/json', 'request-id': `req_${randomBytes(6).toString('hex')}` });
        res.end(json);
        return;
      }
      if (req.method === 'GET' && /^\/v1\/checkout\/sessions(\?|$)/.test(req.url!)) {
        // Stripe's list: newest first, filtered by status and created[gte], paged by starting_after.
        const query = new URL(req.url!, 'http://stub').searchParams;
        const gte = query.get('created[gte]');
        const limit = Number(query.get('limit') ?? 10);
        let matching = [...checkoutSessions]
          .sort((a, b) => Number(b.created) - Number(a.created))
          .filter((cs) => (!query.get('status') || cs.status === query.get('status')) && (!gte || Number(cs.created) >= Number(gte)));
        const after = query.get('starting_after');
        if (after) matching = matching.slice(matching.findIndex((cs) => cs.id === after) + 1);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ object: 'list', url: '/v1/checkout/sessions', has_more: matching.length > limit, data: matching.slice(0, limit) }));
        return;
      }
      if (req.method === 'GET' && req.url!.startsWith('/v1/webhook_endpoints')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            object: 'list',
            url: '/v1/webhook_endpoints',
            has_more: false,
            data: webhookEndpoints.map((e) => ({ object: 'webhook_endpoint', ...e })),
          }),
        );
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { type: 'invalid_request_error', message: `Unrecognized request URL (${req.method}: ${req.url})` } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    hooks,
    /** What `GET /v1/webhook_endpoints` lists; tests push into it. */
    webhookEndpoints,
    /** What `GET /v1/checkout/sessions` lists (Stripe's checkout session objects); tests push into it. */
    checkoutSessions,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
