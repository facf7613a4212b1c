import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '../../src/errors';
import { createCheckout, type CheckoutDeps } from '../../src/payments/create-checkout';
import { buildCheckoutSessionCompletedEvent } from '../../src/payments/dev-events';
import { createStripeClient } from '../../src/payments/stripe-client';
import { createTestDatabase, createUser, type TestDatabase } from '../support/database';
import { createCustomizationRow, deliver, paidEvent, PRICE, quietLog, webhookDeps } from '../support/fixtures';
import { startStripeStub } from '../support/stripe-stub';

let db: TestDatabase;
let stub: Awaited<ReturnType<typeof startStripeStub>>;
let deps: CheckoutDeps;
const claims = (sub: string) => ({ sub, role: 'authenticated' as const });

beforeAll(async () => {
  db = await createTestDatabase();
  stub = await startStripeStub();
  deps = {
    db: db.pool,
    stripe: createStripeClient({ STRIPE_SECRET_KEY: 'sk_test_stub_key_123456', STRIPE_API_BASE_URL: stub.url }),
    price: PRICE,
    allowPromotionCodes: false,
    appUrl: 'https://songswipe.test',
    livemode: false,
    log: quietLog,
  };
});

afterAll(async () => {
  await stub.close();
});

describe('POST /api/checkout (createCheckout) against a Stripe API stub', () => {
  it('creates a Checkout Session with the price, ids on session and PaymentIntent, URLs and an idempotency key, and a pending order', async () => {
    const user = await createUser(db.pool);
    const customizationId = await createCustomizationRow(db.pool, user);
    const result = await createCheckout(deps, claims(user), { customizationId });

    const sent = stub.requests.filter((r) => r.path === '/v1/checkout/sessions');
    expect(sent).toHaveLength(1);
    const { form, headers } = sent[0]!;
    expect(headers.authorization).toBe('Bearer sk_test_stub_key_123456');
    expect(headers['idempotency-key']).toBe(`checkout-session:${customizationId}:0`);
    expect(form).toMatchObject({
      mode: 'payment',
      'line_items[0][quantity]': '1',
      'line_items[0][price_data][currency]': 'usd',
      'line_items[0][price_data][unit_amount]': '2900',
      client_reference_id: customizationId,
      'metadata[user_id]': user,
      'metadata[customization_id]': customizationId,
      'metadata[order_id]': result.orderId,
      'payment_intent_data[metadata][user_id]': user,
      'payment_intent_data[metadata][customization_id]': customizationId,
      success_url: `https://songswipe.test/orders/${result.orderId}?checkout=success`,
      cancel_url: `https://songswipe.test/songs/new?from=${customizationId}`,
    });
    expect(result.url).toMatch(/^https:\/\/checkout\.stripe\.test\/c\/pay\//);

    const { rows } = await db.pool.query('select status, user_id, amount, currency, checkout_url, stripe_session_id from public.orders where id = $1', [
      result.orderId,
    ]);
    expect(rows[0]).toMatchObject({ status: 'pending_payment', user_id: user, amount: 2900, currency: 'usd', checkout_url: result.url });
    expect(rows[0].stripe_session_id).toMatch(/^cs_test_stub_/);
  });

  it('offers promotion codes on the Checkout Session only with STRIPE_ALLOW_PROMOTION_CODES on', async () => {
    const user = await createUser(db.pool);
    const withCodes = await createCustomizationRow(db.pool, user);
    const without = await createCustomizationRow(db.pool, user);
    await createCheckout({ ...deps, allowPromotionCodes: true }, claims(user), { customizationId: withCodes });
    await createCheckout(deps, claims(user), { customizationId: without });
    const formOf = (customizationId: string) =>
      stub.requests.find((r) => r.path === '/v1/checkout/sessions' && r.form.client_reference_id === customizationId)!.form;
    expect(formOf(withCodes).allow_promotion_codes).toBe('true');
    expect(formOf(without)).not.toHaveProperty('allow_promotion_codes');
  });

  it('is idempotent: a repeated or concurrent request returns the same session and order', async () => {
    const user = await createUser(db.pool);
    const customizationId = await createCustomizationRow(db.pool, user);
    const results = await Promise.all([1, 2, 3].map(() => createCheckout(deps, claims(user), { customizationId })));
    expect(new Set(results.map((r) => r.orderId)).size).toBe(1);
    expect(new Set(results.map((r) => r.url)).size).toBe(1);
    const again = await createCheckout(deps, claims(user), { customizationId });
    expect(again).toEqual(results[0]);
    const { rows } = await db.pool.query('select count(*)::int as n from public.orders where customization_id = $1', [customizationId]);
    expect(rows[0].n).toBe(1);
  });

  it('a session paid with a 20% promotion code pays the order created at the full price, keeping the discount and code', async () => {
    const user = await createUser(db.pool);
    const customizationId = await createCustomizationRow(db.pool, user);
    const { orderId } = await createCheckout({ ...deps, allowPromotionCodes: true }, claims(user), { customizationId });
    const { rows } = await db.pool.query('select stripe_session_id from public.orders where id = $1', [orderId]);
    const event = buildCheckoutSessionCompletedEvent({
      userId: user,
      customizationId,
      amount: PRICE.amount,
      currency: PRICE.currency,
      email: 'buyer@example.test',
      sessionId: rows[0].stripe_session_id,
      discount: { amount: 580, promotionCodeId: 'promo_test_spring20' },
    });
    expect(await deliver(await webhookDeps(db.pool, db.url), event)).toMatchObject({ outcome: 'fulfilled' });
    const { rows: after } = await db.pool.query(
      'select id, status, amount, amount_discount, amount_total, promotion_code_id from public.orders where customization_id = $1',
      [customizationId],
    );
    expect(after).toEqual([{ id: orderId, status: 'paid', amount: 2900, amount_discount: 580, amount_total: 2320, promotion_code_id: 'promo_test_spring20' }]);
  });

  it('the webhook for that session pays the same order', async () => {
    const user = await createUser(db.pool);
    const customizationId = await createCustomizationRow(db.pool, user);
    const { orderId } = await createCheckout(deps, claims(user), { customizationId });
    const { rows } = await db.pool.query('select stripe_session_id from public.orders where id = $1', [orderId]);
    const event = paidEvent(user, customizationId, { sessionId: rows[0].stripe_session_id });
    expect(await deliver(await webhookDeps(db.pool, db.url), event)).toMatchObject({ outcome: 'fulfilled' });
    const { rows: after } = await db.pool.query('select id, status from public.orders where customization_id = $1', [customizationId]);
    expect(after).toEqual([{ id: orderId, status: 'paid' }]);
    await expect(createCheckout(deps, claims(user), { customizationId })).rejects.toBeInstanceOf(ConflictError);
  });

  it('refuses another user’s customization (404, as if missing) and a malformed body (400), calling Stripe for neither', async () => {
    const before = stub.requests.length;
    const owner = await createUser(db.pool);
    const customizationId = await createCustomizationRow(db.pool, owner);
    await expect(createCheckout(deps, claims(await createUser(db.pool)), { customizationId })).rejects.toBeInstanceOf(NotFoundError);
    await expect(createCheckout(deps, claims(owner), { customizationId: 'nope' })).rejects.toBeInstanceOf(ValidationError);
    await expect(createCheckout(deps, claims(owner), { customizationId, extra: 1 })).rejects.toBeInstanceOf(ValidationError);
    expect(stub.requests.length).toBe(before);
  });

  it('refuses a second checkout while a delayed payment is being processed (409), even after the session expired', async () => {
    const user = await createUser(db.pool);
    const customizationId = await createCustomizationRow(db.pool, user);
    const { orderId } = await createCheckout(deps, claims(user), { customizationId });
    const { rows } = await db.pool.query('select stripe_session_id from public.orders where id = $1', [orderId]);
    const unpaid = paidEvent(user, customizationId, { sessionId: rows[0].stripe_session_id });
    unpaid.data.object.payment_status = 'unpaid';
    expect(await deliver(await webhookDeps(db.pool, db.url), unpaid)).toMatchObject({ outcome: 'awaiting_payment' });
    await db.pool.query(`update public.orders set checkout_expires_at = now() - interval '1 hour' where id = $1`, [orderId]);
    await expect(createCheckout(deps, claims(user), { customizationId })).rejects.toThrow(/still being processed/);
  });

  it('an earlier session paid while the next one is being created: 409, no second order, and the new session is expired', async () => {
    // The issue-16 trigger: session 1's webhook is delayed past its expiry, so
    // checkout opens session 2; here the webhook lands while Stripe creates it.
    const user = await createUser(db.pool);
    const customizationId = await createCustomizationRow(db.pool, user);
    const first = await createCheckout(deps, claims(user), { customizationId });
    await db.pool.query(`update public.orders set checkout_expires_at = now() - interval '1 hour' where id = $1`, [first.orderId]);
    const { rows } = await db.pool.query('select stripe_session_id from public.orders where id = $1', [first.orderId]);
    const webhook = await webhookDeps(db.pool, db.url);
    stub.hooks.beforeCreate = async () => {
      stub.hooks.beforeCreate = null;
      expect(await deliver(webhook, paidEvent(user, customizationId, { sessionId: rows[0].stripe_session_id }))).toMatchObject({ outcome: 'fulfilled' });
    };
    await expect(createCheckout(deps, claims(user), { customizationId })).rejects.toThrow(/already been paid for/);
    const { rows: orders } = await db.pool.query('select id, status from public.orders where customization_id = $1', [customizationId]);
    expect(orders).toEqual([{ id: first.orderId, status: 'paid' }]);
    const created = stub.requests.filter((r) => r.path === '/v1/checkout/sessions' && r.headers['idempotency-key'] === `checkout-session:${customizationId}:1`);
    expect(created).toHaveLength(1);
    expect(stub.requests.filter((r) => /^\/v1\/checkout\/sessions\/cs_test_stub_\w+\/expire$/.test(r.path))).toHaveLength(1);
  });

  it('without a Stripe key, hands out the local dev checkout', async () => {
    const user = await createUser(db.pool);
    const customizationId = await createCustomizationRow(db.pool, user);
    const result = await createCheckout({ ...deps, stripe: null }, claims(user), { customizationId });
    expect(result.url).toMatch(/^https:\/\/songswipe\.test\/dev\/checkout\/cs_test_dev_[0-9a-f]{32}$/);
  });
});
