import { InngestTestEngine } from '@inngest/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInngestClient } from '../../src/generation/engines/inngest/client';
import { ORDER_PAID_EVENT, orderPaidEventId } from '../../src/generation/engines/inngest/events';
import { createGenerationFunctions } from '../../src/generation/engines/inngest/functions';
import { inngestScheduler } from '../../src/generation/engines/inngest/inngest-scheduler';
import { createSynthProvider } from '../../src/generation/providers/synth-provider';
import type { GenerationScheduler } from '../../src/generation/scheduler';
import type { WebhookDeps } from '../../src/payments/handle-webhook';
import { createTestDatabase, createUser, type TestDatabase } from '../support/database';
import { createCustomizationRow, deliver, paidEvent, quietLog, webhookDeps } from '../support/fixtures';
import { type InngestRecorder, startInngestRecorder } from '../support/inngest-recorder-stub';
import { testGenerationDeps } from '../support/worker';

/**
 * The generation outbox (GENERATION_ENGINE=inngest): the intake transaction
 * writes the start, the SDK sends it after commit under `order:<orderId>` to
 * the server INNGEST_BASE_URL names (a recorder here: it records what the SDK
 * sends, and runs nothing), and the relay sends whatever a crash or an outage
 * left unsent. Exactly one accepted send per order id, whatever happens.
 */
let db: TestDatabase;
let recorder: InngestRecorder;
let scheduler: GenerationScheduler;
let webhook: WebhookDeps;
let fns: ReturnType<typeof createGenerationFunctions>;

beforeAll(async () => {
  db = await createTestDatabase();
  recorder = await startInngestRecorder();
  const inngest = createInngestClient({ GENERATION_ENGINE: 'inngest', INNGEST_DEV: '1', INNGEST_BASE_URL: recorder.url, INNGEST_EVENT_KEY: 'test-event-key' });
  scheduler = inngestScheduler({ db: db.pool, inngest, log: quietLog, apiBaseUrl: recorder.url });
  webhook = { ...(await webhookDeps(db.pool, db.url)), scheduler };
  fns = createGenerationFunctions(inngest, testGenerationDeps(db.pool, createSynthProvider()), { concurrency: 2 });
});
afterAll(async () => recorder.close());

async function newPaidEvent() {
  const user = await createUser(db.pool);
  return paidEvent(user, await createCustomizationRow(db.pool, user));
}
async function orderOf(event: Awaited<ReturnType<typeof newPaidEvent>>): Promise<string> {
  const { rows } = await db.pool.query<{ id: string }>('select id from public.orders where stripe_session_id = $1', [event.data.object.id]);
  return rows[0]!.id;
}
async function outboxRow(orderId: string) {
  const { rows } = await db.pool.query(
    'select event_id, event_name, payload, sent_at, send_attempts, last_error, inngest_event_ids from public.generation_outbox where order_id = $1',
    [orderId],
  );
  return rows;
}
/** Runs the relay cron function once, in-process (@inngest/test), as Inngest would every minute. */
async function runCronRelay() {
  const { result, error } = await new InngestTestEngine({ function: fns.relayFn }).execute();
  expect(error).toBeUndefined();
  return result;
}

describe('generation outbox (Inngest)', () => {
  it('a paid order’s event reaches the server’s event endpoint with id order:<orderId>, ids only, and is marked sent', async () => {
    const event = await newPaidEvent();
    await deliver(webhook, event);
    const orderId = await orderOf(event);
    const sends = recorder.requests.filter((r) => r.method === 'POST' && r.path === '/e/test-event-key');
    const mine = recorder.eventsWithId(orderPaidEventId(orderId));
    expect(mine).toEqual([expect.objectContaining({ id: `order:${orderId}`, name: ORDER_PAID_EVENT, data: { orderId } })]);
    expect(sends.length).toBeGreaterThanOrEqual(1);
    const [row] = await outboxRow(orderId);
    expect(row).toMatchObject({ event_id: `order:${orderId}`, payload: { orderId }, sent_at: expect.any(Date), send_attempts: 1, last_error: null });
    expect(row.inngest_event_ids).toHaveLength(1);
    expect(await scheduler.orderRunStatus(orderId)).toEqual({ state: 'running', runs: [{ id: `order:${orderId}`, state: 'running' }] });
  });

  it('a crash between commit and send loses nothing: the next webhook’s relay sends it once, and 50 duplicate deliveries add no send', async () => {
    // The process dies right after the intake commit: no after-commit send, no relay attempt.
    const crashed: GenerationScheduler = {
      ...scheduler,
      startOrder: (tx, orderId) => scheduler.startOrder(tx, orderId, () => {}),
      relayPending: async () => {},
    };
    const event = await newPaidEvent();
    expect(await deliver({ ...webhook, scheduler: crashed }, event)).toMatchObject({ outcome: 'fulfilled' });
    const orderId = await orderOf(event);
    expect(await outboxRow(orderId)).toEqual([expect.objectContaining({ sent_at: null, send_attempts: 0 })]);
    expect(recorder.eventsWithId(orderPaidEventId(orderId))).toEqual([]);
    expect((await scheduler.orderRunStatus(orderId)).state).toBe('queued');

    // Stripe redelivers (it got no answer from the crashed process), 50 times at once.
    const results = await Promise.all(Array.from({ length: 50 }, () => deliver(webhook, event)));
    expect(results.filter((r) => !r.duplicate)).toHaveLength(0); // the crashed delivery had committed
    await runCronRelay();
    expect(recorder.eventsWithId(orderPaidEventId(orderId))).toHaveLength(1);
    expect(await outboxRow(orderId)).toEqual([expect.objectContaining({ sent_at: expect.any(Date), send_attempts: 1 })]);
  });

  it('50 concurrent deliveries of one payment give exactly one send of order:<orderId>', async () => {
    const event = await newPaidEvent();
    const results = await Promise.all(Array.from({ length: 50 }, () => deliver(webhook, event)));
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    const orderId = await orderOf(event);
    await runCronRelay();
    expect(recorder.eventsWithId(orderPaidEventId(orderId))).toHaveLength(1);
  });

  it('during an outage a webhook tries one backlog row and stops, instead of one failed send per row', async () => {
    const crashed: GenerationScheduler = {
      ...scheduler,
      startOrder: (tx, orderId) => scheduler.startOrder(tx, orderId, () => {}),
      relayPending: async () => {},
    };
    const backlog: string[] = [];
    for (let i = 0; i < 3; i++) {
      const event = await newPaidEvent();
      await deliver({ ...webhook, scheduler: crashed }, event);
      backlog.push(await orderOf(event));
    }
    recorder.setDown(true);
    let orderId: string;
    try {
      const sendsBefore = recorder.requests.filter((r) => r.path.startsWith('/e/')).length;
      const event = await newPaidEvent();
      await deliver(webhook, event);
      orderId = await orderOf(event);
      const attempts = (await Promise.all(backlog.map(async (id) => (await outboxRow(id))[0].send_attempts))).sort();
      expect(attempts).toEqual([0, 0, 1]); // one backlog row tried, then the relay stopped
      expect((await outboxRow(orderId))[0].send_attempts).toBe(1); // its own send, not retried by the relay
      // Two failed sends (this order's, one backlog row's), each the SDK's own tries.
      const tries = recorder.requests.filter((r) => r.path.startsWith('/e/')).length - sendsBefore;
      expect(tries).toBeLessThanOrEqual(10);
    } finally {
      recorder.setDown(false);
    }
    await runCronRelay();
    for (const id of [...backlog, orderId]) expect(recorder.eventsWithId(orderPaidEventId(id))).toHaveLength(1);
  });

  it('while Inngest refuses events the row stays unsent with its error; the cron relay sends it once Inngest is back', async () => {
    recorder.setDown(true);
    let orderId: string;
    try {
      const event = await newPaidEvent();
      expect(await deliver(webhook, event)).toMatchObject({ outcome: 'fulfilled' }); // the payment is recorded regardless
      orderId = await orderOf(event);
      const [row] = await outboxRow(orderId);
      expect(row).toMatchObject({ sent_at: null, last_error: expect.stringMatching(/.+/) });
      // The send right after commit failed; this webhook's relay attempt leaves a row tried seconds ago to the cron.
      expect(row.send_attempts).toBe(1);
      expect(recorder.eventsWithId(orderPaidEventId(orderId))).toEqual([]);
    } finally {
      recorder.setDown(false);
    }
    expect(await runCronRelay()).toEqual({ sent: 1, failed: 0 });
    expect(recorder.eventsWithId(orderPaidEventId(orderId))).toHaveLength(1);
    expect(await runCronRelay()).toEqual({ sent: 0, failed: 0 }); // marked sent: never again
    expect(recorder.eventsWithId(orderPaidEventId(orderId))).toHaveLength(1);
  });
});
