import type pg from 'pg';
import { buildCheckoutSessionCompletedEvent, signStripePayload } from '../../src/payments/dev-events';
import { getDbosScheduler } from '../../src/generation/dbos-scheduler';
import { handleStripeWebhook, type WebhookDeps } from '../../src/payments/handle-webhook';
import { createLogger } from '../../src/logging/logger';
import { createUser } from './database';

export const WEBHOOK_SECRET = 'whsec_test_integration_secret_0123456789';
export const PRICE = { amount: 2900, currency: 'usd' };
export const quietLog = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** Inserts a customization owned by `userId` (privileged), returning its id. */
export async function createCustomizationRow(db: pg.Pool, userId: string, overrides: Partial<Record<string, string>> = {}): Promise<string> {
  const c = {
    recipient_name: 'Ada',
    occasion: 'birthday',
    occasion_date: '2026-12-24',
    genre: 'folk',
    mood: 'warm',
    story: 'We met at a train station in the rain.',
    ...overrides,
  };
  const { rows } = await db.query<{ id: string }>(
    `insert into public.customizations (user_id, recipient_name, occasion, occasion_date, genre, mood, story)
     values ($1, $2, $3, $4, $5, $6, $7) returning id`,
    [userId, c.recipient_name, c.occasion, c.occasion_date, c.genre, c.mood, c.story],
  );
  return rows[0]!.id;
}

export async function webhookDeps(db: pg.Pool, url: string): Promise<WebhookDeps> {
  return { db, scheduler: await getDbosScheduler(url), webhookSecrets: [WEBHOOK_SECRET], livemode: false, price: PRICE, log: quietLog };
}

/** Signs `event` with the real Stripe scheme and runs payment intake on it. */
export async function deliver(deps: WebhookDeps, event: unknown) {
  const { body, signature } = await signStripePayload(event, WEBHOOK_SECRET);
  return handleStripeWebhook(deps, body, signature);
}

/** A paid checkout.session.completed for `userId`'s customization. */
export function paidEvent(userId: string, customizationId: string, extra: { sessionId?: string } = {}) {
  return buildCheckoutSessionCompletedEvent({
    userId,
    customizationId,
    amount: PRICE.amount,
    currency: PRICE.currency,
    email: 'buyer@example.test',
    sessionId: extra.sessionId,
  });
}

/**
 * Pays for a new order through payment intake (a signed, paid
 * checkout.session.completed), so its generate-song workflow is enqueued.
 * @param customization column overrides, e.g. a recipient name a provider stub keys on.
 */
export async function payForOrder(db: { pool: pg.Pool; url: string }, customization: Partial<Record<string, string>> = {}) {
  const userId = await createUser(db.pool);
  const event = paidEvent(userId, await createCustomizationRow(db.pool, userId, customization));
  await deliver(await webhookDeps(db.pool, db.url), event);
  const { rows } = await db.pool.query<{ id: string }>('select id from public.orders where stripe_session_id = $1', [event.data.object.id]);
  return { orderId: rows[0]!.id, userId, event };
}

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes. */
export async function eventually<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs = 30_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
