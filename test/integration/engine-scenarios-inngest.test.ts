import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retryFailedVariant } from '../../src/admin/operations';
import { createInngestClient } from '../../src/generation/engines/inngest/client';
import { ORDER_PAID_EVENT, ORDER_REFUNDED_EVENT, orderPaidEventId, VARIANT_RETRY_EVENT } from '../../src/generation/engines/inngest/events';
import { inngestScheduler } from '../../src/generation/engines/inngest/inngest-scheduler';
import { createGenerationFunctions } from '../../src/generation/engines/inngest/functions';
import { createElevenLabsProvider } from '../../src/generation/providers/elevenlabs-provider';
import { createTestDatabase, createUser, type TestDatabase } from '../support/database';
import { listVariants } from '../../src/db/song-variants';
import { callTarget, startElevenLabsStub } from '../support/elevenlabs-stub';
import { createCustomizationRow, deliver, paidEvent, quietLog, webhookDeps } from '../support/fixtures';
import { adminResumesIfPaused, type EngineDriver, payScenarioOrder, SCENARIOS, scenarioScript } from '../support/generation-scenarios';
import { runGenerateSong, runGenerateVariant, runRetryVariant, type VariantRun } from '../support/inngest';
import { type InngestRecorder, startInngestRecorder } from '../support/inngest-recorder-stub';
import { testGenerationDeps } from '../support/worker';

/**
 * The shared generation scenarios (test/support/generation-scenarios.ts) on
 * Inngest: the order's event goes through the outbox to a recorder standing in
 * for the Inngest server, and the run of that very event is executed in-process
 * by @inngest/test (generate-song, its invoked generate-variant children,
 * retry-variant), against the real database and the ElevenLabs wire stub.
 */
let db: TestDatabase;
let recorder: InngestRecorder;
let driver: EngineDriver;
let fns: ReturnType<typeof createGenerationFunctions>;
const script = scenarioScript();
/** Each order's generate-song run (and its manual retries), in flight or done. */
const runs = new Map<string, Promise<unknown>[]>();
const variantRuns = new Map<string, VariantRun[]>();

beforeAll(async () => {
  db = await createTestDatabase();
  recorder = await startInngestRecorder();
  const stub = await startElevenLabsStub({ script: (call) => script.reply(call) });
  const provider = createElevenLabsProvider({ apiKey: 'xi-test', baseUrl: stub.url, attemptTimeoutMs: 5000 });
  const inngest = createInngestClient({ GENERATION_ENGINE: 'inngest', INNGEST_DEV: '1', INNGEST_BASE_URL: recorder.url });
  const scheduler = inngestScheduler({ db: db.pool, inngest, log: quietLog, apiBaseUrl: recorder.url });
  const deps = testGenerationDeps(db.pool, provider, {
    retry: { maxAttempts: 3, backoff: { baseMs: 50, capMs: 200 }, maxRateLimitWaits: 8, pausePollMs: 200 },
  });
  fns = createGenerationFunctions(inngest, deps, { concurrency: 2 });
  const onSleep = () => adminResumesIfPaused(db, script);
  const settle = async (orderId: string) => {
    for (let seen = 0; seen < (runs.get(orderId) ?? []).length; seen = (runs.get(orderId) ?? []).length) await Promise.all(runs.get(orderId) ?? []);
  };
  driver = {
    engine: 'inngest',
    db,
    stub,
    script,
    webhook: { ...(await webhookDeps(db.pool, db.url)), scheduler },
    async start(orderId) {
      // Exactly the event the outbox sent, with the order's event id.
      const [event] = recorder.eventsWithId(orderPaidEventId(orderId));
      expect(recorder.eventsWithId(orderPaidEventId(orderId))).toHaveLength(1);
      expect(event).toMatchObject({ name: ORDER_PAID_EVENT, data: { orderId } });
      const run = runGenerateSong(fns, event!, { onSleep }).then((r) => {
        variantRuns.set(orderId, r.variants);
        if (r.error) throw r.error;
        return r.result;
      });
      runs.set(orderId, [run.catch(() => undefined)]);
    },
    settle,
    async retry(orderId, variantNumber) {
      const { workflowId } = await retryFailedVariant(db.pool, scheduler, orderId, variantNumber);
      const sent = recorder.eventsWithId(workflowId);
      expect(sent).toEqual([expect.objectContaining({ name: VARIANT_RETRY_EVENT, data: expect.objectContaining({ orderId, variantNumber }) })]);
      const run = await runRetryVariant(fns, sent[0]!.data, onSleep);
      expect(run.error).toBeUndefined();
      expect(run.result).toBe('complete');
    },
    async durableWaits(orderId, variantNumber) {
      await settle(orderId);
      return variantRuns.get(orderId)?.find((v) => v.variantNumber === variantNumber)?.sleeps.length ?? 0;
    },
    async cancellationRequested(orderId) {
      return recorder.acceptedEvents().some((e) => e.name === ORDER_REFUNDED_EVENT && e.data.orderId === orderId);
    },
  };
  afterAll(async () => {
    await stub.close();
    await recorder.close();
  });
});

describe('generation scenarios on Inngest (@inngest/test)', () => {
  it.each(SCENARIOS.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    const order = await payScenarioOrder(driver, scenario.variant1);
    await scenario.run(driver, order);
  });
});

describe('replay after a crash (Inngest memoization)', () => {
  it('replayed with its finished steps memoized, generate-song re-runs no finished variant and calls the provider only for the unstarted one', async () => {
    const recipient = 'ReplayRecipient';
    script.set(recipient, []);
    const user = await createUser(db.pool);
    const event = paidEvent(user, await createCustomizationRow(db.pool, user, { recipient_name: recipient }));
    await deliver(driver.webhook, event);
    const { rows } = await db.pool.query<{ id: string }>('select id from public.orders where stripe_session_id = $1', [event.data.object.id]);
    const orderId = rows[0]!.id;
    const paid = recorder.eventsWithId(orderPaidEventId(orderId))[0]!;
    const calls = () =>
      driver.stub.calls
        .filter((c) => c.prompt.includes(`written for ${recipient};`))
        .map((c) => callTarget(c).variant)
        .sort();

    // First execution: variants 1 and 2 finish, then the process dies as variant 3 is due to start
    // (its invoke is stubbed out here, and nothing of it is kept for the replay).
    const first = await runGenerateSong(fns, paid, { invokes: { 3: async () => 'never started' } });
    expect(first.variants.map((v) => [v.variantNumber, v.result])).toEqual([
      [1, 'complete'],
      [2, 'complete'],
    ]);
    expect(calls()).toEqual([1, 2]);
    const memoized = [...first.memo, { id: 'variants-1', handler: () => 'complete' }, { id: 'variants-2', handler: () => 'complete' }];
    expect(first.memo.map((s) => s.id)).toEqual(['generation-policy', 'load-order', 'create-variants', 'variants-urgency']);

    // Inngest retries the run with the finished steps' results memoized.
    const replay = await runGenerateSong(fns, paid, { memoized });
    expect(replay.error).toBeUndefined();
    expect(replay.result).toEqual({ orderId, variants: { 1: 'complete', 2: 'complete', 3: 'complete' } });
    expect(replay.variants.map((v) => v.variantNumber)).toEqual([3]); // finished variants are not invoked again
    expect(calls()).toEqual([1, 2, 3]); // one call per variant, none repeated
    expect((await listVariants(db.pool, orderId)).map((v) => v.status)).toEqual(['complete', 'complete', 'complete']);
  });

  it('a variant replayed after its attempt step finished makes no provider call, even where the database would allow one', async () => {
    const { orderId, calls } = await payScenarioOrder(driver, []);
    await driver.settle(orderId);
    const v1 = variantRuns.get(orderId)!.find((v) => v.variantNumber === 1)!;
    expect(calls()).toHaveLength(3);
    // Only the memoized step stands between the replay and a second paid call: the database says "not generated".
    await db.pool.query(
      `update public.song_variants set generation_status = 'pending', storage_path = null, completed_at = null where order_id = $1 and variant_number = 1`,
      [orderId],
    );
    await db.pool.query('delete from public.provider_calls where order_id = $1 and variant_number = 1', [orderId]);
    const replay = await runGenerateVariant(fns, { orderId, variantNumber: 1, urgencySeconds: 0 }, v1.memo);
    expect(replay.result).toBe('complete');
    expect(calls()).toHaveLength(3);
    // Control: without the memoized steps the same run calls the provider again.
    const fresh = await runGenerateVariant(fns, { orderId, variantNumber: 1, urgencySeconds: 0 });
    expect(fresh.result).toBe('complete');
    expect(calls()).toHaveLength(4);
  });
});
