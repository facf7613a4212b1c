import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors';
import { DEV_PROMOTION_CODE_ID, payDevCheckout } from '../../src/payments/dev-checkout';
import { buildCheckoutSessionCompletedEvent } from '../../src/payments/dev-events';
import { handleStripeWebhook, type WebhookDeps } from '../../src/payments/handle-webhook';
import { isUuid } from '../../src/validation/uuid';
import { createTestDatabase, createUser, type TestDatabase } from '../support/database';
import { createCustomizationRow, deliver, PRICE, quietLog, WEBHOOK_SECRET, webhookDeps } from '../support/fixtures';

let db: TestDatabase;
let deps: WebhookDeps;

beforeAll(async () => {
  db = await createTestDatabase();
  deps = await webhookDeps(db.pool, db.url);
});

/** A checkout.session.completed with `percentOff` taken off by a promotion code, as Stripe reports it. */
async function discountedEvent(percentOff: number) {
  const user = await createUser(db.pool);
  const customizationId = await createCustomizationRow(db.pool, user);
  return buildCheckoutSessionCompletedEvent({
    userId: user,
    customizationId,
    amount: PRICE.amount,
    currency: PRICE.currency,
    email: 'buyer@example.test',
    discount: { amount: (PRICE.amount * percentOff) / 100, promotionCodeId: `promo_test_${percentOff}` },
  });
}

async function orderOf(sessionId: string) {
  const { rows } = await db.pool.query(
    `select o.status, o.amount, o.amount_discount, o.amount_total, o.promotion_code_id, o.review_reason,
       (select count(*)::int from dbos.workflow_status w where w.workflow_uuid = 'order:' || o.id) as workflows,
       (select count(*)::int from public.failed_jobs f where f.order_id = o.id and f.job_type = 'payment_intake') as "deadLetters"
     from public.orders o where o.stripe_session_id = $1`,
    [sessionId],
  );
  expect(rows).toHaveLength(1);
  return rows[0];
}

describe('promotion codes at payment intake', () => {
  it('100% off (no_payment_required, amount_total 0, no payment intent) is paid and enqueued once, even when replayed', async () => {
    const event = await discountedEvent(100);
    expect(event.data.object).toMatchObject({ payment_status: 'no_payment_required', amount_subtotal: 2900, amount_total: 0, payment_intent: null });
    expect(await deliver(deps, event)).toMatchObject({ outcome: 'fulfilled' });
    expect(await deliver(deps, event)).toMatchObject({ duplicate: true });
    expect(await deliver(deps, { ...event, id: `${event.id}_redelivered` })).toMatchObject({ outcome: 'fulfilled' });
    expect(await orderOf(event.data.object.id)).toMatchObject({
      status: 'paid',
      amount: 2900,
      amount_discount: 2900,
      amount_total: 0,
      promotion_code_id: 'promo_test_100',
      workflows: 1,
    });
  });

  it('20% off (amount_total 2320) is paid, not held for review', async () => {
    const event = await discountedEvent(20);
    expect(await deliver(deps, event)).toMatchObject({ outcome: 'fulfilled' });
    expect(await orderOf(event.data.object.id)).toMatchObject({
      status: 'paid',
      amount: 2900,
      amount_discount: 580,
      amount_total: 2320,
      promotion_code_id: 'promo_test_20',
      workflows: 1,
    });
  });

  it('tax and shipping on top of a discount add up', async () => {
    const event = await discountedEvent(20);
    Object.assign(event.data.object, { amount_total: 2320 + 150 + 300, total_details: { amount_discount: 580, amount_tax: 150, amount_shipping: 300 } });
    expect(await deliver(deps, event)).toMatchObject({ outcome: 'fulfilled' });
  });

  it.each([
    [
      'a forged amount_total 0 with no discount',
      (o: Session) =>
        Object.assign(o, {
          amount_total: 0,
          payment_status: 'no_payment_required',
          payment_intent: null,
          total_details: { amount_discount: 0, amount_tax: 0, amount_shipping: 0 },
        }),
      /discount does not cover the price|amount 0 usd does not match/,
    ],
    [
      'a forged amount_total 0 claiming a partial discount',
      (o: Session) =>
        Object.assign(o, {
          amount_total: 0,
          payment_status: 'no_payment_required',
          total_details: { amount_discount: 580, amount_tax: 0, amount_shipping: 0 },
        }),
      /discount does not cover the price|amount 0 usd does not match/,
    ],
    [
      'a subtotal that does not match the price',
      (o: Session) =>
        Object.assign(o, {
          amount_subtotal: 100,
          amount_total: 0,
          payment_status: 'no_payment_required',
          total_details: { amount_discount: 100, amount_tax: 0, amount_shipping: 0 },
        }),
      /subtotal 100 usd does not match the price 2900 usd/,
    ],
    [
      'a discount that does not explain the total',
      (o: Session) => Object.assign(o, { amount_total: 1000, total_details: { amount_discount: 580, amount_tax: 0, amount_shipping: 0 } }),
      /amount 1000 usd does not match subtotal 2900 − discount 580/,
    ],
    [
      'a discount larger than the subtotal',
      (o: Session) => Object.assign(o, { amount_total: 100, total_details: { amount_discount: 3000, amount_tax: 200, amount_shipping: 0 } }),
      /discount 3000 exceeds the subtotal/,
    ],
    ['another currency', (o: Session) => Object.assign(o, { currency: 'eur' }), /currency eur does not match the price/],
  ])('holds %s for review and never generates', async (_name, forge, reason) => {
    const event = await discountedEvent(20);
    forge(event.data.object);
    expect(await deliver(deps, event)).toMatchObject({ outcome: 'needs_review' });
    const order = await orderOf(event.data.object.id);
    expect(order).toMatchObject({ status: 'needs_review', workflows: 0, deadLetters: 1 });
    expect(order.review_reason).toMatch(reason);
  });

  it('a discounted session whose later event for the same session comes in still matches (the order keeps the price, not the total)', async () => {
    const event = await discountedEvent(20);
    event.data.object.payment_status = 'unpaid';
    expect(await deliver(deps, event)).toMatchObject({ outcome: 'awaiting_payment' });
    const succeeded = {
      ...event,
      id: `${event.id}_succeeded`,
      type: 'checkout.session.async_payment_succeeded',
      data: { object: { ...event.data.object, payment_status: 'paid' } },
    };
    expect(await deliver(deps, succeeded)).toMatchObject({ outcome: 'fulfilled' });
  });
});

type Session = Awaited<ReturnType<typeof discountedEvent>>['data']['object'];

describe('the dev checkout’s "Pay with a 100% code"', () => {
  let server: http.Server;
  let appUrl: string;

  beforeAll(async () => {
    // this app's webhook route, as the dev checkout calls it over HTTP
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        handleStripeWebhook(deps, body, (req.headers['stripe-signature'] as string) ?? null).then(
          (result) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result)),
          (err: unknown) => res.writeHead(err instanceof ValidationError ? 400 : 500).end(String(err)),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('sends a signed no_payment_required completion that pays the order with the whole price discounted', async () => {
    const user = await createUser(db.pool);
    const customizationId = await createCustomizationRow(db.pool, user);
    const sessionId = `cs_test_dev_${'a1'.repeat(16)}`;
    await db.pool.query(
      `insert into public.orders (user_id, customization_id, stripe_session_id, status, amount, currency, occasion_date)
       values ($1, $2, $3, 'pending_payment', 2900, 'usd', '2026-12-24')`,
      [user, customizationId, sessionId],
    );
    const devDeps = { db: db.pool, appUrl, webhookSecret: WEBHOOK_SECRET, enabled: true, log: quietLog };
    const owner = { sub: user, role: 'authenticated' as const };
    const body = async () => ({ method: 'promotion_code_100' });
    const { redirectUrl } = await payDevCheckout(devDeps, sessionId, owner, body);
    const [, orderId] = /\/orders\/([^/?]+)\?checkout=success$/.exec(redirectUrl) ?? [];
    expect(isUuid(orderId), redirectUrl).toBe(true);
    expect(await orderOf(sessionId)).toMatchObject({
      status: 'paid',
      amount: 2900,
      amount_discount: 2900,
      amount_total: 0,
      promotion_code_id: DEV_PROMOTION_CODE_ID,
      workflows: 1,
    });
    await expect(payDevCheckout(devDeps, sessionId, owner, body)).rejects.toThrow(/already paid/);
  });
});
