import { DBOS } from '@dbos-inc/dbos-sdk';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { retryFailedVariant } from '../../src/admin/operations';
import { getDbosScheduler } from '../../src/generation/dbos-scheduler';
import { createElevenLabsProvider } from '../../src/generation/providers/elevenlabs-provider';
import type { GenerationScheduler } from '../../src/generation/scheduler';
import { generateVariantWorkflowId } from '../../src/generation/workflow-names';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startElevenLabsStub } from '../support/elevenlabs-stub';
import { webhookDeps } from '../support/fixtures';
import { adminResumesIfPaused, type EngineDriver, payScenarioOrder, SCENARIOS, scenarioScript } from '../support/generation-scenarios';
import { launchInProcessWorker, testGenerationDeps } from '../support/worker';

/** The shared generation scenarios (test/support/generation-scenarios.ts) on DBOS: an in-process worker, 2 provider slots. */
let db: TestDatabase;
let driver: EngineDriver;
let scheduler: GenerationScheduler;
const script = scenarioScript();

beforeAll(async () => {
  db = await createTestDatabase();
  const stub = await startElevenLabsStub({ script: (call) => script.reply(call) });
  const provider = createElevenLabsProvider({ apiKey: 'xi-test', baseUrl: stub.url, attemptTimeoutMs: 5000 });
  await launchInProcessWorker(
    db.url,
    testGenerationDeps(db.pool, provider, { retry: { maxAttempts: 3, backoff: { baseMs: 50, capMs: 200 }, maxRateLimitWaits: 8, pausePollMs: 200 } }),
    'scenarios-dbos',
    2,
  );
  scheduler = await getDbosScheduler(db.url);
  const settle = async (orderId: string) => {
    // Until every workflow of the order (generate-song, variants, retries) ended; the admin resumes a pause meanwhile.
    for (;;) {
      await adminResumesIfPaused(db, script);
      const { state } = await scheduler.orderRunStatus(orderId);
      if (state !== 'running' && state !== 'queued' && state !== 'none') return;
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  driver = {
    engine: 'dbos',
    db,
    stub,
    script,
    webhook: await webhookDeps(db.pool, db.url),
    async start() {},
    settle,
    async retry(orderId, variantNumber) {
      await retryFailedVariant(db.pool, scheduler, orderId, variantNumber);
      await settle(orderId);
    },
    async durableWaits(orderId, variantNumber) {
      const { rows } = await db.pool.query(`select count(*)::int as n from dbos.operation_outputs where workflow_uuid = $1 and function_name = 'DBOS.sleep'`, [
        generateVariantWorkflowId(orderId, variantNumber),
      ]);
      return rows[0].n;
    },
    async cancellationRequested(orderId) {
      return (await scheduler.orderRunStatus(orderId)).runs.some((r) => r.state === 'cancelled');
    },
  };
  afterAll(async () => {
    await DBOS.shutdown();
    await stub.close();
  });
});

describe('generation scenarios on DBOS', () => {
  it.each(SCENARIOS.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    const order = await payScenarioOrder(driver, scenario.variant1);
    await scenario.run(driver, order);
  });
});
