import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retryFailedVariant } from '../../src/admin/operations';
import { createInngestClient } from '../../src/generation/engines/inngest/client';
import { ORDER_PAID_EVENT, ORDER_REFUNDED_EVENT, orderPaidEventId, VARIANT_RETRY_EVENT } from '../../src/generation/engines/inngest/events';
import { inngestScheduler } from '../../src/generation/engines/inngest/inngest-scheduler';
import { createGenerationFunctions } from '../../src/generation/engines/inngest/functions';
import { createElevenLabsProvider } from '../../src/generation/providers/elevenlabs-provider';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startElevenLabsStub } from '../support/elevenlabs-stub';
import { quietLog, webhookDeps } from '../support/fixtures';
import { adminResumesIfPaused, type EngineDriver, payScenarioOrder, SCENARIOS, scenarioScript } from '../support/generation-scenarios';
import { runGenerateSong, runRetryVariant, type VariantRun } from '../support/inngest';
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
  const fns = createGenerationFunctions(inngest, deps, { concurrency: 2 });
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
