import { APP_VERSION } from '../../src/generation/workflow-names';
import { beforeAll, describe, expect, it } from 'vitest';
import { insertPendingOrder } from '../../src/db/orders';
import { ValidationError } from '../../src/errors';
import { handleStripeWebhook, type WebhookDeps } from '../../src/payments/handle-webhook';
import { signStripePayload } from '../../src/payments/dev-events';
import { createTestDatabase, createUser, type TestDatabase } from '../support/database';
import { createCustomizationRow, deliver, paidEvent, PRICE, WEBHOOK_SECRET, webhookDeps } from '../support/fixtures';

let db: TestDatabase;
let deps: WebhookDeps;

beforeAll(async () => {
  db = await createTestDatabase();
  deps = await webhookDeps(db.pool, db.url);
});

async function counts(sessionId?: string) {
  const { rows } = await db.pool.query(
    `select
       (select count(*)::int from public.orders where $1::text is null or stripe_session_id = $1) as orders,
       (select count(*)::int from dbos.workflow_status where name = 'generate-song'
          and ($1::text is null or workflow_uuid in (select 'order:' || id from public.orders where stripe_session_id = $1))) as workflows,
       (select count(*)::int from public.stripe_events) as events`,
    [sessionId ?? null],
  );
  return rows[0] as { orders: number; workflows: number; events: number };
}

describe('payment intake (POST /api/stripe/webhook domain)', () => {
  it('turns a paid checkout.session.completed into one paid order and one queued workflow, in one transaction', async () => {
    const user = await createUser(db.pool);
    const customization = await createCustomizationRow(db.pool, user);
    const event = paidEvent(user, customization);
    const result = await deliver(deps, event);
    expect(result).toEqual({ eventId: event.id, duplicate: false, outcome: 'fulfilled' });

    const { rows: orders } = await db.pool.query('select * from public.orders where stripe_session_id = $1', [event.data.object.id]);
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({
      user_id: user,
      customization_id: customization,
      status: 'paid',
      amount: PRICE.amount,
      currency: 'usd',
      stripe_event_id: event.id,
    });
    const { rows: wf } = await db.pool.query(
      'select workflow_uuid, status, queue_name, application_version from dbos.workflow_status where workflow_uuid = $1',
      [`order:${orders[0].id}`],
    );
    expect(wf).toEqual([{ workflow_uuid: `order:${orders[0].id}`, status: 'ENQUEUED', queue_name: 'song-generation', application_version: APP_VERSION }]);
    const { rows: ev } = await db.pool.query('select type, processed_at from public.stripe_events where id = $1', [event.id]);
    expect(ev[0].type).toBe('checkout.session.completed');
    expect(ev[0].processed_at).not.toBeNull();
  });

  it('delivering the same event twice, concurrently, still gives one order and one workflow', async () => {
    const user = await createUser(db.pool);
    const customization = await createCustomizationRow(db.pool, user);
    const event = paidEvent(user, customization);
    const results = await Promise.all(Array.from({ length: 8 }, () => deliver(deps, event)));
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(await counts(event.data.object.id)).toMatchObject({ orders: 1, workflows: 1 });
  });

  it('two distinct events for the same checkout session converge on one order and one workflow', async () => {
    const user = await createUser(db.pool);
    const customization = await createCustomizationRow(db.pool, user);
    const first = paidEvent(user, customization);
    const second = paidEvent(user, customization, { sessionId: first.data.object.id });
    await Promise.all([deliver(deps, first), deliver(deps, second)]);
    expect(await counts(first.data.object.id)).toMatchObject({ orders: 1, workflows: 1 });
  });

  it.each([
    [
      'a wrong amount',
      (e: ReturnType<typeof paidEvent>) => {
        e.data.object.amount_total = 1;
      },
      /amount 1 usd does not match/,
    ],
    [
      'a wrong currency',
      (e: ReturnType<typeof paidEvent>) => {
        e.data.object.currency = 'eur';
      },
      /does not match the price/,
    ],
    [
      'a customization of another user',
      (e: ReturnType<typeof paidEvent>, other: string) => {
        e.data.object.metadata.customization_id = other;
        e.data.object.client_reference_id = other;
      },
      /belongs to another user/,
    ],
    [
      'a missing customization',
      (e: ReturnType<typeof paidEvent>) => {
        e.data.object.metadata.customization_id = crypto.randomUUID();
        e.data.object.client_reference_id = e.data.object.metadata.customization_id;
      },
      /does not exist/,
    ],
    [
      'a client_reference_id that disagrees with metadata',
      (e: ReturnType<typeof paidEvent>, other: string) => {
        e.data.object.client_reference_id = other;
      },
      /client_reference_id does not match/,
    ],
    [
      'no metadata at all',
      (e: ReturnType<typeof paidEvent>) => {
        (e.data.object as { metadata: unknown }).metadata = null;
      },
      /missing or not a UUID/,
    ],
    // Shaped like a UUID to a loose /^[0-9a-f-]{36}$/ check, but not one: must not reach a SQL cast (22P02 → 400 → Stripe retries for days)
    [
      'a metadata.user_id of 36 dashes',
      (e: ReturnType<typeof paidEvent>) => {
        e.data.object.metadata.user_id = '-'.repeat(36);
      },
      /missing or not a UUID/,
    ],
    [
      'a metadata.customization_id of 36 dashes',
      (e: ReturnType<typeof paidEvent>) => {
        e.data.object.metadata.customization_id = '-'.repeat(36);
        e.data.object.client_reference_id = '-'.repeat(36);
      },
      /missing or not a UUID/,
    ],
    [
      'a metadata.user_id of 36 hex digits and no dashes',
      (e: ReturnType<typeof paidEvent>) => {
        e.data.object.metadata.user_id = 'a'.repeat(36);
      },
      /missing or not a UUID/,
    ],
  ])('holds the order for review and never generates for %s', async (_name, mutate, reason) => {
    const user = await createUser(db.pool);
    const customization = await createCustomizationRow(db.pool, user);
    const otherCustomization = await createCustomizationRow(db.pool, await createUser(db.pool));
    const event = paidEvent(user, customization);
    mutate(event, otherCustomization);
    const result = await deliver(deps, event);
    expect(result).toMatchObject({ duplicate: false, outcome: 'needs_review' });
    expect(await counts(event.data.object.id)).toMatchObject({ orders: 1, workflows: 0 });
    const { rows } = await db.pool.query(
      `select o.status, o.review_reason, f.job_type, f.error_message, f.event_data
       from public.orders o join public.failed_jobs f on f.order_id = o.id where o.stripe_session_id = $1`,
      [event.data.object.id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'needs_review', job_type: 'payment_intake' });
    expect(rows[0].review_reason).toMatch(reason);
    expect(rows[0].event_data).toMatchObject({ stripeEventId: event.id, stripeSessionId: event.data.object.id });
    // recorded, so Stripe's retries are answered as duplicates
    expect((await deliver(deps, event)).duplicate).toBe(true);
  });

  it('holds for review a session whose metadata names another customization than the order we created for it', async () => {
    // The one-paid-order rule is checked and locked for the metadata's
    // customization; the order row keeps the one it was created with.
    const user = await createUser(db.pool);
    const [created, other] = [await createCustomizationRow(db.pool, user), await createCustomizationRow(db.pool, user)];
    const event = paidEvent(user, other);
    await insertPendingOrder(db.pool, {
      id: crypto.randomUUID(),
      userId: user,
      customizationId: created,
      stripeSessionId: event.data.object.id,
      amount: PRICE.amount,
      currency: PRICE.currency,
      occasionDate: '2026-12-24',
      livemode: false,
      checkoutUrl: 'https://checkout.stripe.test/c/pay/x',
      checkoutExpiresAt: new Date(Date.now() + 3600_000),
    });
    expect(await deliver(deps, event)).toMatchObject({ outcome: 'needs_review' });
    const { rows } = await db.pool.query('select status, review_reason from public.orders where stripe_session_id = $1', [event.data.object.id]);
    expect(rows).toEqual([{ status: 'needs_review', review_reason: expect.stringMatching(/does not match the order created for this session/) }]);
    expect(await counts(event.data.object.id)).toMatchObject({ orders: 1, workflows: 0 });
  });

  it('an unpaid session (delayed payment method) waits as awaiting_payment, with no workflow', async () => {
    const user = await createUser(db.pool);
    const event = paidEvent(user, await createCustomizationRow(db.pool, user));
    event.data.object.payment_status = 'unpaid';
    expect(await deliver(deps, event)).toMatchObject({ outcome: 'awaiting_payment' });
    expect(await counts(event.data.object.id)).toMatchObject({ orders: 1, workflows: 0 });
  });

  it('writes nothing for a bad signature, a missing header or a malformed event', async () => {
    const before = await counts();
    const user = await createUser(db.pool);
    const event = paidEvent(user, await createCustomizationRow(db.pool, user));
    const { body, signature } = await signStripePayload(event, 'whsec_not_our_secret_000000000000');
    await expect(handleStripeWebhook(deps, body, signature)).rejects.toBeInstanceOf(ValidationError);
    await expect(handleStripeWebhook(deps, body, null)).rejects.toBeInstanceOf(ValidationError);
    const malformed = await signStripePayload({ id: 'not-an-event' }, WEBHOOK_SECRET);
    await expect(handleStripeWebhook(deps, malformed.body, malformed.signature)).rejects.toThrow(/malformed/);
    const notASession = await signStripePayload({ ...event, id: 'evt_x1', data: { object: { id: 'cs_1', object: 'charge' } } }, WEBHOOK_SECRET);
    await expect(handleStripeWebhook(deps, notASession.body, notASession.signature)).rejects.toThrow(/not a checkout session/);
    // amounts the orders table cannot hold (amount >= 0, integer column) are refused where the event is parsed, not by a SQL error
    for (const amount of [-1, 2 ** 31]) {
      const outOfRange = structuredClone(event);
      Object.assign(outOfRange, { id: `evt_amount_${amount < 0 ? 'negative' : 'huge'}` });
      outOfRange.data.object.amount_total = amount;
      await expect(deliver(deps, outOfRange), `amount ${amount}`).rejects.toThrow(/not a checkout session/);
    }
    expect(await counts()).toEqual(before);
  });

  it('refuses an event of the other Stripe mode (test event on a live deployment, and vice versa) and writes nothing', async () => {
    const user = await createUser(db.pool);
    const testEvent = paidEvent(user, await createCustomizationRow(db.pool, user));
    await expect(deliver({ ...deps, livemode: true }, testEvent)).rejects.toThrow(/test-mode event sent to a live-mode endpoint/);
    const liveEvent = { ...paidEvent(user, await createCustomizationRow(db.pool, user)), livemode: true };
    await expect(deliver(deps, liveEvent)).rejects.toThrow(/live-mode event sent to a test-mode endpoint/);
    const { rows } = await db.pool.query('select count(*)::int as n from public.stripe_events where id = any($1)', [[testEvent.id, liveEvent.id]]);
    expect(rows[0].n).toBe(0);
  });

  it('acknowledges and records event types it does not handle', async () => {
    const { body, signature } = await signStripePayload(
      {
        id: 'evt_unhandled_1',
        object: 'event',
        type: 'customer.created',
        livemode: false,
        created: 1,
        data: { object: { id: 'cus_1', extra: { nested: true } } },
      },
      WEBHOOK_SECRET,
    );
    await expect(handleStripeWebhook(deps, body, signature)).resolves.toEqual({ eventId: 'evt_unhandled_1', duplicate: false, outcome: 'ignored' });
    const { rows } = await db.pool.query(`select type, outcome from public.stripe_events where id = 'evt_unhandled_1'`);
    expect(rows).toEqual([{ type: 'customer.created', outcome: 'ignored' }]);
  });
});
