/**
 * A refund racing generation: whatever the order of events, a refunded order
 * ends with no variant `pending` or `generating` (its generation status never
 * reads "generating" forever) and no provider call after the refund.
 */
import { DBOS } from '@dbos-inc/dbos-sdk';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retryFailedVariant } from '../../src/admin/operations';
import { countProviderCalls } from '../../src/db/provider-calls';
import { createPendingVariants, listVariants, markVariantComplete, markVariantGenerating, resetFailedVariant } from '../../src/db/song-variants';
import { PermanentProviderError } from '../../src/errors';
import { getDbosScheduler } from '../../src/generation/dbos-scheduler';
import { deriveGenerationStatus } from '../../src/generation/generation-status';
import type { MusicProvider } from '../../src/generation/providers/music-provider';
import { createSynthProvider } from '../../src/generation/providers/synth-provider';
import { buildChargeRefundedEvent } from '../../src/payments/dev-events';
import { launchInProcessWorker, testGenerationDeps } from '../support/worker';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { deliver, eventually, payForOrder, webhookDeps } from '../support/fixtures';

let db: TestDatabase;
/** Recipients whose variant 2 the provider refuses for good. */
const refuseVariant2 = new Set<string>();
/** Calls that wait for a gate to open, keyed `<recipient>:<variant>`. */
const gates = new Map<string, Promise<void>>();
const synth = createSynthProvider();
const provider: MusicProvider = {
  name: 'gated-synth',
  async generate(prompt, options) {
    const recipient = /written for ([^;]+);/.exec(prompt.text)?.[1] ?? '';
    await gates.get(`${recipient}:${options.variantNumber}`);
    if (options.variantNumber === 2 && refuseVariant2.has(recipient)) throw new PermanentProviderError('bad_prompt: refused', 400);
    return synth.generate(prompt, options);
  },
};

beforeAll(async () => {
  db = await createTestDatabase();
  await launchInProcessWorker(db.url, testGenerationDeps(db.pool, provider), 'refund-races');
});

afterAll(async () => {
  await DBOS.shutdown();
});

let recipients = 0;
async function paidOrder(options: { refuseVariant2?: boolean } = {}) {
  const recipient = `Refundee${++recipients}`;
  if (options.refuseVariant2) refuseVariant2.add(recipient);
  return { ...(await payForOrder(db, { recipient_name: recipient })), recipient };
}

/**
 * Fills both slots of the generation queue with orders whose first call waits
 * on a gate, so whatever is enqueued next stays ENQUEUED until `open()`.
 */
async function occupyQueue() {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const blockers: Awaited<ReturnType<typeof paidOrder>>[] = [];
  for (let i = 0; i < 2; i++) {
    gates.set(`Refundee${recipients + 1}:1`, gate);
    blockers.push(await paidOrder());
  }
  await eventually(
    async () => {
      const calls = await Promise.all(blockers.map((b) => countProviderCalls(db.pool, b.orderId)));
      return calls.every((c) => c[1] === 1);
    },
    30_000,
    'both queue slots to be busy',
  );
  return {
    open: async () => {
      open();
      for (const b of blockers) await DBOS.retrieveWorkflow(`order:${b.orderId}`).getResult();
    },
  };
}

async function workflowStatus(workflowId: string): Promise<string | undefined> {
  const { rows } = await db.pool.query<{ status: string }>('select status from dbos.workflow_status where workflow_uuid = $1', [workflowId]);
  return rows[0]?.status;
}

async function settledStatus(workflowId: string): Promise<string> {
  return eventually(
    async () => {
      const status = await workflowStatus(workflowId);
      return status && !['ENQUEUED', 'PENDING'].includes(status) ? status : undefined;
    },
    30_000,
    `${workflowId} to settle`,
  );
}

/** An order whose variant 2 was dead-lettered, as an admin finds it. */
async function orderWithFailedVariant2() {
  const order = await paidOrder({ refuseVariant2: true });
  await DBOS.retrieveWorkflow(`order:${order.orderId}`).getResult();
  expect((await listVariants(db.pool, order.orderId)).map((v) => v.status)).toEqual(['complete', 'failed', 'complete']);
  return order;
}

describe('a refund racing generation', () => {
  it('a refund while a manual retry is queued cancels the retry: refunded, nothing reads generating', async () => {
    const { orderId, event } = await orderWithFailedVariant2();
    const queue = await occupyQueue();
    const { workflowId } = await retryFailedVariant(db.pool, await getDbosScheduler(db.url), orderId, 2);
    expect(await workflowStatus(workflowId)).toBe('ENQUEUED');

    expect((await deliver(await webhookDeps(db.pool, db.url), buildChargeRefundedEvent(event))).outcome).toBe('refunded');
    await queue.open();

    expect(await settledStatus(workflowId)).toBe('CANCELLED');
    const variants = await listVariants(db.pool, orderId);
    expect(variants.map((v) => v.status)).toEqual(['complete', 'failed', 'complete']);
    expect(deriveGenerationStatus(variants.map((v) => v.status))).toBe('partial');
    expect(await countProviderCalls(db.pool, orderId)).toEqual({ 1: 1, 2: 1, 3: 1 }); // no call after the refund
  });

  it('a retry that runs after the refund (its cancel lost to a crash) leaves the failed variant as it is', async () => {
    const { orderId } = await orderWithFailedVariant2();
    const queue = await occupyQueue();
    const { workflowId } = await retryFailedVariant(db.pool, await getDbosScheduler(db.url), orderId, 2);
    // The refund committed, and the worker died before it could cancel anything.
    await db.pool.query(`update public.orders set status = 'refunded' where id = $1`, [orderId]);
    await queue.open();

    expect(await settledStatus(workflowId)).toBe('SUCCESS');
    expect(await DBOS.retrieveWorkflow(workflowId).getResult()).toBe('skipped');
    expect((await listVariants(db.pool, orderId)).map((v) => v.status)).toEqual(['complete', 'failed', 'complete']);
    expect(await countProviderCalls(db.pool, orderId)).toEqual({ 1: 1, 2: 1, 3: 1 });
  });

  it('a refund landing between load-order and create-variants leaves no pending variant', async () => {
    const queue = await occupyQueue();
    const { orderId, event } = await paidOrder();
    const { rows } = await db.pool.query<{ user_id: string }>('select user_id from public.orders where id = $1', [orderId]);
    // Hold create-variants mid-statement: an uncommitted variant 1 makes its insert wait on us.
    const blocker: pg.PoolClient = await db.pool.connect();
    try {
      await blocker.query('begin');
      await blocker.query('insert into public.song_variants (order_id, user_id, variant_number) values ($1, $2, 1)', [orderId, rows[0]!.user_id]);
      const waiting = async () => (await db.pool.query<{ n: number }>('select count(*)::int as n from pg_locks where not granted')).rows[0]!.n;
      const opened = queue.open();
      await eventually(async () => (await waiting()) >= 1, 30_000, 'create-variants to wait on the uncommitted variant');

      let refunded = false;
      const refund = deliver(await webhookDeps(db.pool, db.url), buildChargeRefundedEvent(event)).finally(() => (refunded = true));
      // Either the refund goes through now, or it waits for create-variants: both are races a real refund can hit.
      await eventually(async () => refunded || (await waiting()) >= 2, 30_000, 'the refund to finish or wait');
      await blocker.query('rollback');
      expect((await refund).outcome).toBe('refunded');
      await opened;
    } finally {
      blocker.release();
    }

    await settledStatus(`order:${orderId}`);
    const variants = await listVariants(db.pool, orderId);
    expect(variants.filter((v) => v.status === 'pending' || v.status === 'generating')).toEqual([]);
    expect(deriveGenerationStatus(variants.map((v) => v.status))).not.toBe('generating');
    expect(await countProviderCalls(db.pool, orderId)).toEqual({});
  });

  it('every variant-state write re-checks the payment itself: on a refunded order none of them writes', async () => {
    const { orderId } = await orderWithFailedVariant2();
    await db.pool.query(`update public.orders set status = 'refunded' where id = $1`, [orderId]);
    await db.pool.query(`delete from public.song_variants where order_id = $1 and variant_number = 3`, [orderId]);
    const before = await listVariants(db.pool, orderId);
    const audio = { storagePath: `songs/${orderId}/variant-2.mp3`, contentType: 'audio/mpeg', durationMs: 3000, providerSongId: null };

    const wrote = {
      create: await createPendingVariants(db.pool, { orderId, count: 3 }),
      reset: await resetFailedVariant(db.pool, { orderId, variantNumber: 2 }),
      generating: await markVariantGenerating(db.pool, { orderId, variantNumber: 2 }),
      complete: await markVariantComplete(db.pool, { orderId, variantNumber: 2, ...audio }),
    };
    expect(await listVariants(db.pool, orderId)).toEqual(before); // variant 3 not recreated, variant 2 still failed
    expect(wrote).toEqual({ create: false, reset: false, generating: false, complete: false });
  });
});
