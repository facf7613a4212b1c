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

/**
 * A local HTTP stand-in for the Stripe API, speaking its wire format for
 * `POST /v1/checkout/sessions`: form-encoded request, JSON checkout session
 * reply, and idempotency-key replay (the same key returns the same session).
 */
export async function startStripeStub() {
  const requests: StubRequest[] = [];
  const byIdempotencyKey = new Map<string, string>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const form = Object.fromEntries(new URLSearchParams(body));
      requests.push({ method: req.method!, path: req.url!, headers: req.headers, form });
      if (req.method === 'POST' && req.url === '/v1/checkout/sessions') {
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
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { type: 'invalid_request_error', message: `Unrecognized request URL (${req.method}: ${req.url})` } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
