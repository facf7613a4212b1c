import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DBOS } from '@dbos-inc/dbos-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countProviderCalls } from '../../src/db/provider-calls';
import { listVariants } from '../../src/db/song-variants';
import { decodeMp3 } from '../../src/demo/decode-audio';
import { getOrderView } from '../../src/delivery/order-view';
import { PermanentProviderError, RetryableProviderError } from '../../src/errors';
import type { GenerationDeps } from '../../src/generation/generate-song';
import type { MusicProvider } from '../../src/generation/providers/music-provider';
import { createSynthProvider } from '../../src/generation/providers/synth-provider';
import { GENERATION_QUEUE } from '../../src/generation/workflow-names';
import { launchInProcessWorker, testGenerationDeps } from '../support/worker';
import { createTestDatabase, createUser, type TestDatabase } from '../support/database';
import { createCustomizationRow, deliver, eventually, paidEvent, webhookDeps } from '../support/fixtures';
import { buildChargeRefundedEvent, buildDisputeEvent, newDevDispute } from '../../src/payments/dev-events';

/**
 * Failures to inject, keyed by `<recipient name>:<variant>`: errors thrown by
 * successive calls. Keyed by the recipient (unique per test, known before the
 * payment) so the script is in place before the worker can dequeue the order.
 */
const script = new Map<string, Error[]>();
/** Calls that wait for a gate to open, keyed like `script`. */
const gates = new Map<string, Promise<void>>();
const synth = createSynthProvider();
const scriptedProvider: MusicProvider = {
  name: 'scripted-synth',
  async generate(prompt, options) {
    const recipient = /written for ([^;]+);/.exec(prompt.text)?.[1];
    await gates.get(`${recipient}:${options.variantNumber}`);
    const queue = script.get(`${recipient}:${options.variantNumber}`);
    const next = queue?.shift();
    if (next) throw next;
    return synth.generate(prompt, options);
  },
};

let db: TestDatabase;
let workflowRef: ((orderId: string) => Promise<unknown>) | undefined;
let storageRoot: string;
let storage: GenerationDeps['storage'];

beforeAll(async () => {
  db = await createTestDatabase();
  const deps = testGenerationDeps(db.pool, scriptedProvider, { lengthMs: 4000 });
  ({ storageRoot, storage } = deps);
  workflowRef = (await launchInProcessWorker(db.url, deps, 'test-worker')).generateSong;
});

afterAll(async () => {
  await DBOS.shutdown();
});

let recipients = 0;

/**
 * Pays for a new order through payment intake. `failures` maps a variant
 * number to the errors its successive provider calls throw.
 */
async function paidOrder(
  failures: Record<number, Error[]> = {},
  gated: Record<number, Promise<void>> = {},
): Promise<{ orderId: string; userId: string; event: ReturnType<typeof paidEvent> }> {
  const recipient = `Recipient${++recipients}`;
  for (const [n, errors] of Object.entries(failures)) script.set(`${recipient}:${n}`, errors);
  for (const [n, gate] of Object.entries(gated)) gates.set(`${recipient}:${n}`, gate);
  const userId = await createUser(db.pool);
  const customization = await createCustomizationRow(db.pool, userId, { recipient_name: recipient });
  const event = paidEvent(userId, customization);
  await deliver(await webhookDeps(db.pool, db.url), event);
  const { rows } = await db.pool.query<{ id: string }>('select id from public.orders where stripe_session_id = $1', [event.data.object.id]);
  return { orderId: rows[0]!.id, userId, event };
}

async function settled(orderId: string) {
  await DBOS.retrieveWorkflow(`order:${orderId}`).getResult();
  return listVariants(db.pool, orderId);
}

describe('generate-song workflow (DBOS worker, real queue)', () => {
  it('completes 3 variants whose files decode as audio, calling the provider once per variant', async () => {
    const { orderId, userId } = await paidOrder();
    const variants = await settled(orderId);
    expect(variants.map((v) => [v.variantNumber, v.status, v.attempts])).toEqual([
      [1, 'complete', 1],
      [2, 'complete', 1],
      [3, 'complete', 1],
    ]);
    for (const v of variants) {
      expect(v.storagePath).toBe(`songs/${orderId}/variant-${v.variantNumber}.mp3`);
      expect(v.completedAt).toBeInstanceOf(Date);
      const audio = await decodeMp3(readFileSync(path.join(storageRoot, v.storagePath!)));
      expect(audio.durationMs).toBeGreaterThan(3900);
      expect(v.durationMs).toBeGreaterThan(3900);
    }
    expect(await countProviderCalls(db.pool, orderId)).toEqual({ 1: 1, 2: 1, 3: 1 });
    const view = await getOrderView(
      { db: db.pool, storage, signedUrlTtlSeconds: 60, appUrl: 'http://app.test' },
      { sub: userId, role: 'authenticated' },
      orderId,
    );
    expect(view.generationStatus).toBe('complete');
    expect(view.variants.every((v) => v.audioUrl && v.shareUrl)).toBe(true);
  });

  it('a permanent provider error fails that variant at once, dead-letters it, and the siblings still complete (partial)', async () => {
    const { orderId, userId } = await paidOrder({
      2: [new PermanentProviderError('bad_prompt: the prompt names an artist', 400, { detail: { status: 'bad_prompt' } })],
    });
    const variants = await settled(orderId);
    expect(variants.map((v) => v.status)).toEqual(['complete', 'failed', 'complete']);
    expect(variants[1]).toMatchObject({ attempts: 1, lastError: 'bad_prompt: the prompt names an artist', storagePath: null });
    expect(await countProviderCalls(db.pool, orderId)).toEqual({ 1: 1, 2: 1, 3: 1 });

    const { rows } = await db.pool.query('select * from public.failed_jobs where order_id = $1', [orderId]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ job_type: 'generate_variant', variant_number: 2, retry_count: 1, error_message: 'bad_prompt: the prompt names an artist' });
    expect(Object.keys(rows[0].event_data).sort()).toEqual(['customizationId', 'failure', 'orderId', 'variantNumber']);
    expect(rows[0].provider_detail).toMatchObject({ providerStatus: 400 });
    expect(JSON.stringify(rows[0])).not.toContain(variants[1]!.shareToken);

    const view = await getOrderView(
      { db: db.pool, storage, signedUrlTtlSeconds: 60, appUrl: 'http://app.test' },
      { sub: userId, role: 'authenticated' },
      orderId,
    );
    expect(view.generationStatus).toBe('partial');
    expect(view.variants[1]).toMatchObject({ variantNumber: 2, status: 'failed', durationMs: null });
    expect(view.variants[1]).not.toHaveProperty('audioUrl');
    expect(view.variants[1]).not.toHaveProperty('shareUrl');
  });

  it('retries retryable errors with backoff and completes the variant', async () => {
    const { orderId } = await paidOrder({ 3: [new RetryableProviderError('503 upstream', 503), new RetryableProviderError('socket hang up')] });
    const variants = await settled(orderId);
    expect(variants.map((v) => v.status)).toEqual(['complete', 'complete', 'complete']);
    expect(variants[2]!.attempts).toBe(3);
    expect(await countProviderCalls(db.pool, orderId)).toEqual({ 1: 1, 2: 1, 3: 3 });
    const { rows } = await db.pool.query('select count(*)::int as n from public.failed_jobs where order_id = $1', [orderId]);
    expect(rows[0].n).toBe(0);
  });

  it('dead-letters a variant after exhausting its attempts; all failed means failed', async () => {
    const fiveErrors = () => Array.from({ length: 5 }, () => new RetryableProviderError('500', 500));
    const { orderId } = await paidOrder({ 1: fiveErrors(), 2: fiveErrors(), 3: fiveErrors() });
    const variants = await settled(orderId);
    expect(variants.map((v) => [v.status, v.attempts])).toEqual([
      ['failed', 3],
      ['failed', 3],
      ['failed', 3],
    ]);
    const { rows } = await db.pool.query('select variant_number, retry_count from public.failed_jobs where order_id = $1 order by 1', [orderId]);
    expect(rows).toEqual([1, 2, 3].map((n) => ({ variant_number: n, retry_count: 3 })));
    expect(existsSync(path.join(storageRoot, 'songs', orderId))).toBe(false);
  });

  it('a refund during generation cancels the order workflow and its unfinished variants: no further provider calls, share links dead', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    // Two slots: variants 1 and 2 are in flight (held at the gate), variant 3 waits in the queue.
    const { orderId, event } = await paidOrder({}, { 1: gate, 2: gate });
    await eventually(
      async () => {
        const calls = await countProviderCalls(db.pool, orderId);
        return calls[1] === 1 && calls[2] === 1;
      },
      30_000,
      'variants 1 and 2 in flight',
    );
    const refund = await deliver(await webhookDeps(db.pool, db.url), buildChargeRefundedEvent(event));
    expect(refund.outcome).toBe('refunded');
    open();
    await expect(DBOS.retrieveWorkflow(`order:${orderId}`).getResult()).rejects.toThrow(/cancel/i);
    await new Promise((r) => setTimeout(r, 500));
    expect(await countProviderCalls(db.pool, orderId)).toEqual({ 1: 1, 2: 1 });
    const { rows } = await db.pool.query(`select workflow_uuid, status from dbos.workflow_status where workflow_uuid like $1 order by 1`, [
      `order:${orderId}%`,
    ]);
    expect(rows).toEqual([
      { workflow_uuid: `order:${orderId}`, status: 'CANCELLED' },
      ...[1, 2, 3].map((n) => ({ workflow_uuid: `order:${orderId}:variant:${n}`, status: 'CANCELLED' })),
    ]);
    const [v1, , v3] = await listVariants(db.pool, orderId);
    expect(v3).toMatchObject({ status: 'failed', lastError: 'order refunded before this variant was generated' });
    const { rows: shared } = await db.pool.query('select * from public.get_shared_song($1)', [v1!.shareToken]);
    expect(shared).toEqual([]);
  });

  it('a dispute opened during generation does not stop it (the song is evidence) and keeps it shared; losing it revokes the links', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const { orderId, event } = await paidOrder({}, { 2: gate });
    await eventually(async () => (await countProviderCalls(db.pool, orderId))[2] === 1, 30_000, 'variant 2 call in flight');
    const dispute = { ...newDevDispute(), status: 'needs_response' as const };
    const webhook = await webhookDeps(db.pool, db.url);
    expect(await deliver(webhook, buildDisputeEvent(event, 'charge.dispute.created', dispute))).toMatchObject({ outcome: 'disputed' });
    open();
    await DBOS.retrieveWorkflow(`order:${orderId}`).getResult();
    const variants = await listVariants(db.pool, orderId);
    expect(variants.map((v) => v.status)).toEqual(['complete', 'complete', 'complete']);
    expect(await countProviderCalls(db.pool, orderId)).toEqual({ 1: 1, 2: 1, 3: 1 });
    const shared = async () => (await db.pool.query('select * from public.get_shared_song($1)', [variants[0]!.shareToken])).rows.length;
    expect(await shared()).toBe(1);
    expect(await deliver(webhook, buildDisputeEvent(event, 'charge.dispute.closed', { ...dispute, status: 'lost' }))).toMatchObject({
      outcome: 'dispute_lost',
    });
    expect(await shared()).toBe(0);
  });

  it('a dispute lost during generation cancels the workflow like a refund: no further provider calls', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const { orderId, event } = await paidOrder({}, { 2: gate });
    await eventually(async () => (await countProviderCalls(db.pool, orderId))[2] === 1, 30_000, 'variant 2 call in flight');
    const lost = buildDisputeEvent(event, 'charge.dispute.closed', { ...newDevDispute(), status: 'lost' });
    expect(await deliver(await webhookDeps(db.pool, db.url), lost)).toMatchObject({ outcome: 'dispute_lost' });
    // Variants run in parallel, so variant 3 may or may not have started before the loss: what
    // must hold is that no call starts after it, and every unfinished variant ends failed.
    const atLoss = await countProviderCalls(db.pool, orderId);
    open();
    await expect(DBOS.retrieveWorkflow(`order:${orderId}`).getResult()).rejects.toThrow(/cancel/i);
    await new Promise((r) => setTimeout(r, 500));
    expect(await countProviderCalls(db.pool, orderId)).toEqual(atLoss);
    expect(atLoss[2]).toBe(1);
    const v3 = (await listVariants(db.pool, orderId))[2]!;
    if (!atLoss[3]) expect(v3).toMatchObject({ status: 'failed', lastError: 'dispute lost before this variant was generated' });
  });

  it('does not generate for an order that is no longer paid', async () => {
    const userId = await createUser(db.pool);
    const cust = await createCustomizationRow(db.pool, userId);
    const { rows } = await db.pool.query<{ id: string }>(
      `insert into public.orders (user_id, customization_id, stripe_session_id, status, amount, currency, occasion_date)
       values ($1, $2, 'cs_test_unpaid', 'payment_failed', 2900, 'usd', '2026-12-24') returning id`,
      [userId, cust],
    );
    const handle = await DBOS.startWorkflow(workflowRef!, { workflowID: `order:${rows[0]!.id}`, queueName: GENERATION_QUEUE })(rows[0]!.id);
    expect(await handle.getResult()).toMatchObject({ skipped: 'order status is payment_failed' });
    expect(await listVariants(db.pool, rows[0]!.id)).toEqual([]);
  });
});
