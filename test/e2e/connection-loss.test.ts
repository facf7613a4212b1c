import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signStripePayload } from '../../src/payments/dev-events';
import { isUuid } from '../../src/validation/uuid';
import { type BuiltServer, startBuiltServer } from '../support/built-server';
import { createTestDatabase, createUser, type TestDatabase } from '../support/database';
import { createCustomizationRow, eventually, paidEvent, WEBHOOK_SECRET } from '../support/fixtures';

// A failover, a pooler restart or `pg_terminate_backend` ends every connection at
// once. Idle pooled connections then emit 'error'; with no listener that is an
// uncaught exception and the process dies. Both processes must shrug it off and
// serve the next request on fresh connections.

let db: TestDatabase;
let server: BuiltServer;

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startBuiltServer(db.url);
}, 300_000);

afterAll(async () => {
  await server?.stop();
});

/** Posts a signed Stripe event to the web app's webhook; expects 200. */
async function postWebhook(event: unknown): Promise<void> {
  const { body, signature } = await signStripePayload(event, WEBHOOK_SECRET);
  const res = await fetch(`${server.base}/api/stripe/webhook`, { method: 'POST', headers: { 'stripe-signature': signature }, body });
  expect([res.status, await res.json()]).toEqual([200, { received: true }]);
}

/** Posts a signed paid checkout for a new customer and waits until its three variants are complete. */
async function payAndWaitForSongs(): Promise<{ orderId: string; event: unknown }> {
  const user = await createUser(db.pool);
  const event = paidEvent(user, await createCustomizationRow(db.pool, user));
  await postWebhook(event);
  const orderId = await eventually(
    async () => {
      const { rows } = await db.pool.query<{ order_id: string; complete: number }>(
        `select o.id as order_id, count(*) filter (where v.generation_status = 'complete')::int as complete
           from public.orders o join public.song_variants v on v.order_id = o.id
          where o.stripe_session_id = $1 group by o.id`,
        [event.data.object.id],
      );
      return rows[0]?.complete === 3 ? rows[0].order_id : undefined;
    },
    60_000,
    'three complete variants',
  );
  return { orderId, event };
}

describe('the database terminates every connection while web and worker are idle', () => {
  it('neither process exits, and the next webhook and the next generation succeed', async () => {
    const { event } = await payAndWaitForSongs(); // warms every pool: web, worker, DBOS system pools
    await postWebhook(event); // a duplicate delivery: the web pool has a fresh idle connection, whatever generation took
    await new Promise((r) => setTimeout(r, 1_000)); // let the last connections go idle

    // two statements: SQL gives no evaluation order, so one WHERE could end our own backend too
    const { rows: backends } = await db.pool.query<{ pid: number; application_name: string }>(
      'select pid, application_name from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
    );
    const { rows: killed } = await db.pool.query<{ ok: boolean }>('select pg_terminate_backend(pid) as ok from unnest($1::int[]) as pid', [
      backends.map((b) => b.pid),
    ]);
    expect(killed.every((k) => k.ok)).toBe(true);
    const names = backends.map((b) => b.application_name);
    expect(names).toEqual(expect.arrayContaining(['songswipe-web', 'songswipe-worker', `songswipe-worker:${server.executorId}`]));
    expect(names.some((n) => n.startsWith('dbos_transact_'))).toBe(true);

    await new Promise((r) => setTimeout(r, 2_000)); // an uncaught 'error' would have killed a process by now
    expect(server.exited()).toEqual([]);

    const { orderId } = await payAndWaitForSongs();
    expect(isUuid(orderId), orderId).toBe(true);
    expect(server.exited()).toEqual([]);
  });
});
