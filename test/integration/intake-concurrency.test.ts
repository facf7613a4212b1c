import { DBOS } from '@dbos-inc/dbos-sdk';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countProviderCalls } from '../../src/db/provider-calls';
import { createSynthProvider } from '../../src/generation/providers/synth-provider';
import { buildCheckoutSessionCompletedEvent, buildSessionEvent } from '../../src/payments/dev-events';
import type { WebhookDeps } from '../../src/payments/handle-webhook';
import { launchInProcessWorker, testGenerationDeps } from '../support/worker';
import { createTestDatabase, createUser, type TestDatabase } from '../support/database';
import { createCustomizationRow, deliver, paidEvent, PRICE, webhookDeps } from '../support/fixtures';

let db: TestDatabase;
let pool: pg.Pool;
let deps: WebhookDeps;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = db.newPool({ max: 25 });
  deps = { ...(await webhookDeps(pool, db.url)) };
  await launchInProcessWorker(db.url, testGenerationDeps(db.pool, createSynthProvider()), 'concurrency-test');
});

afterAll(async () => {
  await DBOS.shutdown();
});

async function outcome(sessionId: string) {
  const { rows } = await db.pool.query<{ id: string }>('select id from public.orders where stripe_session_id = $1', [sessionId]);
  expect(rows).toHaveLength(1);
  const orderId = rows[0]!.id;
  await DBOS.retrieveWorkflow(`order:${orderId}`).getResult();
  const { rows: wf } = await db.pool.query(`select count(*)::int as n from dbos.workflow_status where name = 'generate-song' and workflow_uuid like $1`, [
    `order:${orderId}%`,
  ]);
  return { orders: rows.length, workflows: wf[0].n as number, calls: await countProviderCalls(db.pool, orderId) };
}

describe('payment intake under concurrency', () => {
  it('50 concurrent deliveries of one event: one order, one workflow, three provider calls', async () => {
    const user = await createUser(db.pool);
    const event = paidEvent(user, await createCustomizationRow(db.pool, user));
    const results = await Promise.all(Array.from({ length: 50 }, () => deliver(deps, event)));
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(await outcome(event.data.object.id)).toEqual({ orders: 1, workflows: 1, calls: { 1: 1, 2: 1, 3: 1 } });
  });

  it('50 distinct events for one session, concurrently: one order, one workflow, three provider calls', async () => {
    const user = await createUser(db.pool);
    const completed = paidEvent(user, await createCustomizationRow(db.pool, user));
    const events = Array.from({ length: 50 }, (_, i) =>
      i % 2 === 0 ? { ...completed, id: `${completed.id}_${i}` } : buildSessionEvent(completed, 'checkout.session.async_payment_succeeded'),
    );
    const results = await Promise.all(events.map((e) => deliver(deps, e)));
    expect(results.every((r) => !r.duplicate)).toBe(true);
    expect(await outcome(completed.data.object.id)).toEqual({ orders: 1, workflows: 1, calls: { 1: 1, 2: 1, 3: 1 } });
  });

  it('a 100% promotion code (nothing charged), replayed and redelivered concurrently: paid, generated once', async () => {
    const user = await createUser(db.pool);
    const completed = buildCheckoutSessionCompletedEvent({
      userId: user,
      customizationId: await createCustomizationRow(db.pool, user),
      amount: PRICE.amount,
      currency: PRICE.currency,
      email: 'buyer@example.test',
      discount: { amount: PRICE.amount, promotionCodeId: 'promo_test_free_song' },
    });
    const events = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? completed : { ...completed, id: `${completed.id}_${i}` }));
    const results = await Promise.all(events.map((e) => deliver(deps, e)));
    expect(results.filter((r) => r.outcome === 'fulfilled')).toHaveLength(11);
    expect(await outcome(completed.data.object.id)).toEqual({ orders: 1, workflows: 1, calls: { 1: 1, 2: 1, 3: 1 } });
    const { rows } = await db.pool.query(
      `select o.status, count(v.*) filter (where v.generation_status = 'complete')::int as complete
       from public.orders o join public.song_variants v on v.order_id = o.id where o.stripe_session_id = $1 group by o.status`,
      [completed.data.object.id],
    );
    expect(rows).toEqual([{ status: 'paid', complete: 3 }]);
  });

  it('two paid sessions for one customization, delivered at the same moment: one paid order, one workflow, three provider calls, 10 of 10 rounds', async () => {
    // Realistic trigger: session 1's webhook is delayed past its expiry, checkout
    // opens session 2, the customer pays again, and Stripe delivers both together.
    // Odd rounds are $0 sessions: no payment intent, so no per-payment lock to lean on.
    const free = { ...deps, price: { amount: 0, currency: 'usd' } };
    for (let round = 0; round < 10; round++) {
      const user = await createUser(db.pool);
      const customization = await createCustomizationRow(db.pool, user);
      const sessions = [paidEvent(user, customization), paidEvent(user, customization)];
      if (round % 2) for (const s of sessions) Object.assign(s.data.object, { amount_subtotal: 0, amount_total: 0, payment_intent: null });
      const results = await Promise.all(sessions.map((s) => deliver(round % 2 ? free : deps, s)));

      const label = `round ${round}`;
      expect(results.map((r) => r.outcome).sort(), label).toEqual(['fulfilled', 'needs_review']);
      const { rows } = await db.pool.query<{ id: string; status: string; dead_letters: number }>(
        `select o.id, o.status::text,
           (select count(*)::int from public.failed_jobs f where f.order_id = o.id and f.job_type = 'payment_intake') as dead_letters
         from public.orders o where o.customization_id = $1 order by o.status`,
        [customization],
      );
      expect(
        rows.map((r) => [r.status, r.dead_letters]),
        label,
      ).toEqual([
        ['paid', 0],
        ['needs_review', 1],
      ]);
      const { rows: workflows } = await db.pool.query<{ id: string }>(
        `select w.workflow_uuid as id from dbos.workflow_status w join public.orders o on w.workflow_uuid = 'order:' || o.id
         where o.customization_id = $1`,
        [customization],
      );
      for (const w of workflows) await DBOS.retrieveWorkflow(w.id).getResult();
      const { rows: calls } = await db.pool.query(
        `select count(*)::int as n from public.provider_calls p join public.orders o on o.id = p.order_id where o.customization_id = $1`,
        [customization],
      );
      expect({ workflows: workflows.length, providerCalls: calls[0].n }, label).toEqual({ workflows: 1, providerCalls: 3 });
    }
  }, 240_000);

  it('an event whose processing fails is not marked processed, and Stripe’s retry then succeeds', async () => {
    // A real database fault: the order insert fails while the fault flag is set.
    await db.pool.query(`
      create table public.test_faults (name text primary key);
      create function public.test_fail_order_insert() returns trigger language plpgsql as $$
      begin
        if exists (select 1 from public.test_faults where name = 'orders') then
          raise exception 'injected fault';
        end if;
        return new;
      end $$;
      create trigger test_fail_order_insert before insert on public.orders for each row execute function public.test_fail_order_insert();
      insert into public.test_faults values ('orders');`);
    const user = await createUser(db.pool);
    const event = paidEvent(user, await createCustomizationRow(db.pool, user));
    await expect(deliver(deps, event)).rejects.toThrow(/injected fault/);
    const { rows: ledger } = await db.pool.query('select * from public.stripe_events where id = $1', [event.id]);
    expect(ledger).toEqual([]);

    await db.pool.query(`delete from public.test_faults`);
    expect(await deliver(deps, event)).toMatchObject({ duplicate: false, outcome: 'fulfilled' });
    expect(await outcome(event.data.object.id)).toEqual({ orders: 1, workflows: 1, calls: { 1: 1, 2: 1, 3: 1 } });
  });
});
