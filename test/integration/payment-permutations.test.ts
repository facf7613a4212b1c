import { beforeAll, describe, expect, it } from 'vitest';
import type { WebhookDeps } from '../../src/payments/handle-webhook';
import { buildChargeRefundedEvent, buildSessionEvent } from '../../src/payments/dev-events';
import { createTestDatabase, createUser, type TestDatabase } from '../support/database';
import { createCustomizationRow, deliver, paidEvent, webhookDeps } from '../support/fixtures';

let db: TestDatabase;
let deps: WebhookDeps;

beforeAll(async () => {
  db = await createTestDatabase();
  deps = await webhookDeps(db.pool, db.url);
});

type Completed = ReturnType<typeof paidEvent>;
type EventName = 'paid' | 'unpaid' | 'succeeded' | 'failed' | 'expired' | 'refunded';

/** Builds the named events of one checkout session (each name once; repeats are redeliveries). */
function eventsFor(completed: Completed) {
  const unpaid: Completed = structuredClone(completed);
  unpaid.data.object.payment_status = 'unpaid';
  const cache = new Map<EventName, unknown>();
  const make: Record<EventName, () => unknown> = {
    paid: () => completed,
    unpaid: () => unpaid,
    succeeded: () => buildSessionEvent(unpaid, 'checkout.session.async_payment_succeeded'),
    failed: () => buildSessionEvent(unpaid, 'checkout.session.async_payment_failed'),
    expired: () => buildSessionEvent(unpaid, 'checkout.session.expired'),
    refunded: () => buildChargeRefundedEvent(completed),
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
];

describe('order state machine under every arrival order', () => {
  for (const scenario of scenarios) {
    const perms = permutations(scenario.events);
    it(`${scenario.name}: all ${perms.length} orders end ${scenario.status}`, async () => {
      for (const perm of perms) {
        const user = await createUser(db.pool);
        const completed = paidEvent(user, await createCustomizationRow(db.pool, user));
        const event = eventsFor(completed);
        for (const name of perm) await deliver(deps, event(name));

        const { rows } = await db.pool.query(
          `select o.status,
             (select count(*)::int from dbos.workflow_status w where w.workflow_uuid = 'order:' || o.id and w.status <> 'CANCELLED') as runnable
           from public.orders o where o.stripe_session_id = $1`,
          [completed.data.object.id],
        );
        const label = `${scenario.name} [${perm.join(' → ')}]`;
        expect(rows, label).toHaveLength(1);
        expect({ label, status: rows[0].status, runnable: rows[0].runnable }).toEqual({ label, status: scenario.status, runnable: scenario.runnableWorkflows });
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

  it('a second paid session for an already paid customization is held for review, not generated twice', async () => {
    const user = await createUser(db.pool);
    const customization = await createCustomizationRow(db.pool, user);
    await deliver(deps, paidEvent(user, customization));
    const second = paidEvent(user, customization);
    expect(await deliver(deps, second)).toMatchObject({ outcome: 'needs_review' });
    const { rows } = await db.pool.query(`select status::text, count(*)::int as n from public.orders where customization_id = $1 group by 1 order by 1`, [customization]);
    expect(rows).toEqual([{ status: 'needs_review', n: 1 }, { status: 'paid', n: 1 }]);
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
    await expect(db.pool.query(`update public.orders set status = 'awaiting_payment' where stripe_session_id = $1`, [completed.data.object.id])).rejects.toThrow(/cannot go from paid to awaiting_payment/);
    await expect(db.pool.query(`update public.orders set status = 'expired' where stripe_session_id = $1`, [completed.data.object.id])).rejects.toThrow(/cannot go from paid to expired/);
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
