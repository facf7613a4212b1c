import { beforeAll, describe, expect, it } from 'vitest';
import type { WebhookDeps } from '../../src/payments/handle-webhook';
import { buildChargeRefundedEvent, buildDisputeEvent, buildRefundUpdatedEvent, buildSessionEvent, newDevDispute } from '../../src/payments/dev-events';
import { createTestDatabase, createUser, type TestDatabase } from '../support/database';
import { buildCheckoutSessionCompletedEvent } from '../../src/payments/dev-events';
import { createCustomizationRow, deliver, paidEvent, PRICE, webhookDeps } from '../support/fixtures';

let db: TestDatabase;
let deps: WebhookDeps;

beforeAll(async () => {
  db = await createTestDatabase();
  deps = await webhookDeps(db.pool, db.url);
});

type Completed = ReturnType<typeof paidEvent>;
type EventName =
  | 'paid'
  | 'unpaid'
  | 'succeeded'
  | 'failed'
  | 'expired'
  | 'refunded'
  | 'refund_failed'
  | 'dispute_created'
  | 'funds_withdrawn'
  | 'dispute_won'
  | 'funds_reinstated'
  | 'dispute_lost';

/** The session a scenario pays with: full price, or with a promotion code taking `percentOff`. */
type Pricing = { percentOff: 0 | 20 | 100 };

/**
 * Builds the named events of one checkout session (each name once; repeats are
 * redeliveries). The dispute events are about one dispute, each carrying its
 * status at that moment, as Stripe sends them.
 */
function eventsFor(completed: Completed) {
  const unpaid: Completed = structuredClone(completed);
  unpaid.data.object.payment_status = 'unpaid';
  const dispute = newDevDispute();
  const cache = new Map<EventName, unknown>();
  const make: Record<EventName, () => unknown> = {
    paid: () => completed,
    unpaid: () => unpaid,
    succeeded: () => buildSessionEvent(unpaid, 'checkout.session.async_payment_succeeded'),
    failed: () => buildSessionEvent(unpaid, 'checkout.session.async_payment_failed'),
    expired: () => buildSessionEvent(unpaid, 'checkout.session.expired'),
    refunded: () => buildChargeRefundedEvent(completed),
    refund_failed: () => buildRefundUpdatedEvent(completed, 'failed'),
    dispute_created: () => buildDisputeEvent(completed, 'charge.dispute.created', { ...dispute, status: 'needs_response' }),
    funds_withdrawn: () => buildDisputeEvent(completed, 'charge.dispute.funds_withdrawn', { ...dispute, status: 'needs_response' }),
    dispute_won: () => buildDisputeEvent(completed, 'charge.dispute.closed', { ...dispute, status: 'won' }),
    funds_reinstated: () => buildDisputeEvent(completed, 'charge.dispute.funds_reinstated', { ...dispute, status: 'won' }),
    dispute_lost: () => buildDisputeEvent(completed, 'charge.dispute.closed', { ...dispute, status: 'lost' }),
  };
  return (name: EventName) => {
    if (!cache.has(name)) cache.set(name, make[name]());
    return cache.get(name);
  };
}

/** Every distinct ordering of `items` (repeated names count once per position). */
function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  const out = new Map<string, T[]>();
  items.forEach((item, i) => {
    for (const rest of permutations([...items.slice(0, i), ...items.slice(i + 1)])) {
      const perm = [item, ...rest];
      out.set(JSON.stringify(perm), perm);
    }
  });
  return [...out.values()];
}

interface Scenario {
  name: string;
  events: EventName[];
  status: string;
  /** Workflows that may be left runnable: 1 for a paid order, 0 otherwise. */
  runnableWorkflows: 0 | 1;
  pricing?: Pricing;
  /** Unresolved operator alerts (`failed_jobs` by job type) the scenario must leave; none when unset. */
  openAlerts?: Record<string, number>;
}

/** A paid checkout.session.completed, discounted by a promotion code as Stripe reports it. */
function completedEvent(user: string, customization: string, { percentOff }: Pricing): Completed {
  const event = paidEvent(user, customization);
  if (!percentOff) return event;
  const discount = (PRICE.amount * percentOff) / 100;
  return buildCheckoutSessionCompletedEvent({
    userId: user,
    customizationId: customization,
    amount: PRICE.amount,
    currency: PRICE.currency,
    email: 'buyer@example.test',
    discount: { amount: discount, promotionCodeId: `promo_test_${percentOff}_off` },
  });
}

const scenarios: Scenario[] = [
  { name: 'card payment, delivered twice', events: ['paid', 'paid'], status: 'paid', runnableWorkflows: 1 },
  { name: 'delayed payment succeeds', events: ['unpaid', 'succeeded'], status: 'paid', runnableWorkflows: 1 },
  { name: 'delayed payment succeeds, delivered twice', events: ['unpaid', 'succeeded', 'succeeded', 'unpaid'], status: 'paid', runnableWorkflows: 1 },
  { name: 'delayed payment fails', events: ['unpaid', 'failed'], status: 'payment_failed', runnableWorkflows: 0 },
  { name: 'abandoned checkout expires', events: ['expired', 'expired'], status: 'expired', runnableWorkflows: 0 },
  { name: 'paid, then the session expires', events: ['paid', 'expired'], status: 'paid', runnableWorkflows: 1 },
  { name: 'paid, then refunded (refund delivered twice)', events: ['paid', 'refunded', 'refunded'], status: 'refunded', runnableWorkflows: 0 },
  { name: 'delayed payment succeeds, then refunded', events: ['unpaid', 'succeeded', 'refunded'], status: 'refunded', runnableWorkflows: 0 },
  // promotion codes (issue 15)
  { name: '100% promotion code, delivered twice', events: ['paid', 'paid'], pricing: { percentOff: 100 }, status: 'paid', runnableWorkflows: 1 },
  {
    name: '100% promotion code, then the session expires',
    events: ['paid', 'expired', 'paid'],
    pricing: { percentOff: 100 },
    status: 'paid',
    runnableWorkflows: 1,
  },
  { name: '20% promotion code', events: ['paid', 'paid'], pricing: { percentOff: 20 }, status: 'paid', runnableWorkflows: 1 },
  {
    name: '20% promotion code, delayed payment succeeds',
    events: ['unpaid', 'succeeded', 'expired'],
    pricing: { percentOff: 20 },
    status: 'paid',
    runnableWorkflows: 1,
  },
  { name: '20% promotion code, then refunded', events: ['paid', 'refunded'], pricing: { percentOff: 20 }, status: 'refunded', runnableWorkflows: 0 },
  // disputes (issue 15): generation and sharing go on while a dispute is open
  {
    name: 'dispute opened, funds withdrawn',
    events: ['paid', 'dispute_created', 'funds_withdrawn'],
    status: 'disputed',
    runnableWorkflows: 1,
    openAlerts: { payment_dispute: 1 },
  },
  { name: 'dispute won, funds reinstated', events: ['paid', 'dispute_created', 'dispute_won', 'funds_reinstated'], status: 'paid', runnableWorkflows: 1 },
  { name: 'dispute lost', events: ['paid', 'dispute_created', 'funds_withdrawn', 'dispute_lost'], status: 'refunded', runnableWorkflows: 0 },
  {
    name: 'delayed payment succeeds, then disputed and lost',
    events: ['unpaid', 'succeeded', 'dispute_created', 'dispute_lost'],
    status: 'refunded',
    runnableWorkflows: 0,
  },
  {
    name: '20% promotion code, then disputed (delivered twice)',
    events: ['paid', 'dispute_created', 'dispute_created'],
    pricing: { percentOff: 20 },
    status: 'disputed',
    runnableWorkflows: 1,
    openAlerts: { payment_dispute: 1 },
  },
  {
    name: 'refunded, then the refund fails',
    events: ['paid', 'refunded', 'refund_failed'],
    status: 'refunded',
    runnableWorkflows: 0,
    openAlerts: { refund_failed: 1 },
  },
];

describe('order state machine under every arrival order', () => {
  for (const scenario of scenarios) {
    const perms = permutations(scenario.events);
    it(`${scenario.name}: all ${perms.length} orders end ${scenario.status}`, async () => {
      for (const perm of perms) {
        const user = await createUser(db.pool);
        const completed = completedEvent(user, await createCustomizationRow(db.pool, user), scenario.pricing ?? { percentOff: 0 });
        const event = eventsFor(completed);
        for (const name of perm) await deliver(deps, event(name));

        const { rows } = await db.pool.query(
          `select o.status,
             (select count(*)::int from dbos.workflow_status w where w.workflow_uuid = 'order:' || o.id and w.status <> 'CANCELLED') as runnable,
             (select coalesce(jsonb_object_agg(job_type, n), '{}') from (
                select job_type, count(*)::int as n from public.failed_jobs
                where resolved_at is null and (order_id = o.id or event_data ->> 'paymentIntent' = $2) group by job_type) a) as alerts
           from public.orders o where o.stripe_session_id = $1`,
          [completed.data.object.id, completed.data.object.payment_intent],
        );
        const label = `${scenario.name} [${perm.join(' → ')}]`;
        expect(rows, label).toHaveLength(1);
        expect({ label, status: rows[0].status, runnable: rows[0].runnable, alerts: rows[0].alerts }).toEqual({
          label,
          status: scenario.status,
          runnable: scenario.runnableWorkflows,
          alerts: scenario.openAlerts ?? {},
        });
      }
    });
  }

  it('a refund and a checkout completion delivered at the same moment never leave a refunded payment fulfilled', async () => {
    for (let i = 0; i < 15; i++) {
      const user = await createUser(db.pool);
      const completed = paidEvent(user, await createCustomizationRow(db.pool, user));
      const refund = buildChargeRefundedEvent(completed);
      await Promise.all(i % 2 ? [deliver(deps, completed), deliver(deps, refund)] : [deliver(deps, refund), deliver(deps, completed)]);
      const { rows } = await db.pool.query(
        `select o.status, (select count(*)::int from dbos.workflow_status w where w.workflow_uuid = 'order:' || o.id and w.status <> 'CANCELLED') as runnable
         from public.orders o where o.stripe_session_id = $1`,
        [completed.data.object.id],
      );
      expect(rows, `round ${i}`).toEqual([{ status: 'refunded', runnable: 0 }]);
    }
  });

  it('a dispute and a checkout completion delivered at the same moment end in the dispute’s state', async () => {
    for (let i = 0; i < 12; i++) {
      const user = await createUser(db.pool);
      const completed = paidEvent(user, await createCustomizationRow(db.pool, user));
      const lost = i % 4 < 2;
      const dispute = eventsFor(completed)(lost ? 'dispute_lost' : 'dispute_created');
      await Promise.all(i % 2 ? [deliver(deps, completed), deliver(deps, dispute)] : [deliver(deps, dispute), deliver(deps, completed)]);
      const { rows } = await db.pool.query(
        `select o.status, (select count(*)::int from dbos.workflow_status w where w.workflow_uuid = 'order:' || o.id and w.status <> 'CANCELLED') as runnable
         from public.orders o where o.stripe_session_id = $1`,
        [completed.data.object.id],
      );
      expect(rows, `round ${i}`).toEqual([lost ? { status: 'refunded', runnable: 0 } : { status: 'disputed', runnable: 1 }]);
    }
  });

  it('a second paid session for an already paid customization is held for review, not generated twice', async () => {
    const user = await createUser(db.pool);
    const customization = await createCustomizationRow(db.pool, user);
    await deliver(deps, paidEvent(user, customization));
    const second = paidEvent(user, customization);
    expect(await deliver(deps, second)).toMatchObject({ outcome: 'needs_review' });
    const { rows } = await db.pool.query(`select status::text, count(*)::int as n from public.orders where customization_id = $1 group by 1 order by 1`, [
      customization,
    ]);
    expect(rows).toEqual([
      { status: 'needs_review', n: 1 },
      { status: 'paid', n: 1 },
    ]);
  });

  describe('two checkout sessions paid for one customization', () => {
    type Two = { a: Completed; b: Completed; customization: string };
    async function twoSessions(): Promise<Two> {
      const user = await createUser(db.pool);
      const customization = await createCustomizationRow(db.pool, user);
      return { a: paidEvent(user, customization), b: paidEvent(user, customization), customization };
    }
    /** The customization's orders: at most one may hold it (paid, or paid and refunded); the rest are held for review. */
    async function holders({ customization }: Two) {
      const { rows } = await db.pool.query<{ status: string; runnable: number; dead_letters: number }>(
        `select o.status::text,
           (select count(*)::int from dbos.workflow_status w where w.workflow_uuid = 'order:' || o.id and w.status <> 'CANCELLED') as runnable,
           (select count(*)::int from public.failed_jobs f where f.order_id = o.id and f.job_type = 'payment_intake') as dead_letters
         from public.orders o where o.customization_id = $1 order by o.status`,
        [customization],
      );
      return rows;
    }
    const expectOneHolder = (rows: Awaited<ReturnType<typeof holders>>, label: string) => {
      expect(rows, label).toHaveLength(2);
      const [holder, loser] = rows as [(typeof rows)[0], (typeof rows)[0]];
      expect(['paid', 'refunded'], label).toContain(holder.status);
      expect({ status: loser.status, runnable: loser.runnable, dead_letters: loser.dead_letters >= 1 }, label).toEqual({
        status: 'needs_review',
        runnable: 0,
        dead_letters: true,
      });
      expect(holder.runnable, label).toBe(holder.status === 'paid' ? 1 : 0);
    };

    it('in every arrival order, with refunds: exactly one order holds the customization', async () => {
      type Name = 'a.paid' | 'b.paid' | 'a.refunded' | 'b.refunded';
      const perms = permutations<Name>(['a.paid', 'b.paid', 'a.refunded', 'b.refunded']);
      for (const perm of perms) {
        const two = await twoSessions();
        const byName = { 'a.paid': two.a, 'b.paid': two.b, 'a.refunded': buildChargeRefundedEvent(two.a), 'b.refunded': buildChargeRefundedEvent(two.b) };
        for (const name of perm) await deliver(deps, byName[name]);
        expectOneHolder(await holders(two), perm.join(' → '));
      }
    });

    it('delivered at the same moment, with and without payment intents: exactly one order holds the customization, 20 of 20 rounds', async () => {
      const free = { ...deps, price: { amount: 0, currency: 'usd' } };
      for (let round = 0; round < 20; round++) {
        const two = await twoSessions();
        // odd rounds: $0 sessions carry no payment intent, so no per-payment lock can serialise them
        if (round % 2) for (const s of [two.a, two.b]) Object.assign(s.data.object, { amount_subtotal: 0, amount_total: 0, payment_intent: null });
        const results = await Promise.all([deliver(round % 2 ? free : deps, two.a), deliver(round % 2 ? free : deps, two.b)]);
        expect(results.map((r) => r.outcome).sort(), `round ${round}`).toEqual(['fulfilled', 'needs_review']);
        expectOneHolder(await holders(two), `round ${round}`);
      }
    });

    it('a refunded delayed payment of the second session is held for review, not a second refunded order', async () => {
      const two = await twoSessions();
      const unpaid: Completed = structuredClone(two.a);
      unpaid.data.object.payment_status = 'unpaid';
      expect(await deliver(deps, unpaid)).toMatchObject({ outcome: 'awaiting_payment' });
      expect(await deliver(deps, two.b)).toMatchObject({ outcome: 'fulfilled' });
      // Stripe may deliver the refund before async_payment_succeeded
      expect(await deliver(deps, buildChargeRefundedEvent(two.a))).toMatchObject({ duplicate: false, outcome: 'needs_review' });
      expect(await deliver(deps, buildSessionEvent(unpaid, 'checkout.session.async_payment_succeeded'))).toMatchObject({ outcome: 'needs_review' });
      expectOneHolder(await holders(two), 'awaiting a, paid b, refunded a');
    });

    it('the database refuses a second paid order for one customization from any writer', async () => {
      const two = await twoSessions();
      await deliver(deps, two.a);
      await expect(
        db.pool.query(
          `insert into public.orders (user_id, customization_id, stripe_session_id, status, amount, currency, occasion_date)
           select user_id, customization_id, 'cs_test_other_writer', 'paid', amount, currency, occasion_date from public.orders where stripe_session_id = $1`,
          [two.a.data.object.id],
        ),
      ).rejects.toThrow(/orders_one_paid_order_per_customization/);
    });
  });

  it('a delayed payment started before a price change is still fulfilled at the price its order was created at', async () => {
    const user = await createUser(db.pool);
    const completed = paidEvent(user, await createCustomizationRow(db.pool, user));
    completed.data.object.payment_status = 'unpaid';
    await deliver(deps, completed);
    const newPrice = { ...deps, price: { amount: 3900, currency: 'usd' } };
    expect(await deliver(newPrice, buildSessionEvent(completed, 'checkout.session.async_payment_succeeded'))).toMatchObject({ outcome: 'fulfilled' });
  });

  it('the SQL trigger refuses an illegal transition from any writer', async () => {
    const user = await createUser(db.pool);
    const completed = paidEvent(user, await createCustomizationRow(db.pool, user));
    await deliver(deps, completed);
    await expect(
      db.pool.query(`update public.orders set status = 'awaiting_payment' where stripe_session_id = $1`, [completed.data.object.id]),
    ).rejects.toThrow(/cannot go from paid to awaiting_payment/);
    await expect(db.pool.query(`update public.orders set status = 'expired' where stripe_session_id = $1`, [completed.data.object.id])).rejects.toThrow(
      /cannot go from paid to expired/,
    );
  });

  it('a partial refund is recorded but leaves the order paid', async () => {
    const user = await createUser(db.pool);
    const completed = paidEvent(user, await createCustomizationRow(db.pool, user));
    await deliver(deps, completed);
    expect(await deliver(deps, buildChargeRefundedEvent(completed, 500))).toMatchObject({ outcome: 'partial_refund' });
    const { rows } = await db.pool.query('select status from public.orders where stripe_session_id = $1', [completed.data.object.id]);
    expect(rows[0].status).toBe('paid');
  });
});
