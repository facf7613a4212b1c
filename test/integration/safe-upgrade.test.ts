/**
 * Safe upgrades (issue 17): workflows started under the running build ("v1", a
 * real worker process) are drained by SIGTERM mid-order; then "v2" is deployed:
 * a worker with the same pinned application version and executor id whose
 * workflow bodies changed (a new step behind `DBOS.patch`, the way
 * workflow-names.ts says to change a body). Every v1 workflow completes on the
 * v2 code, taking the old path, with exactly one paid provider call per
 * variant; an order started under v2 takes the new path.
 * DBOS docs, "Upgrading Workflow Code" (patching with a pinned version).
 */
import type { ChildProcess } from 'node:child_process';
import { DBOS } from '@dbos-inc/dbos-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbosContext, registerGenerationQueues, registerRetryVariantWorkflow } from '../../src/generation/dbos-workflow';
import type { VariantOutcome } from '../../src/generation/durable-context';
import { type GenerationDeps, generateSong, generateVariant } from '../../src/generation/generate-song';
import { createElevenLabsProvider } from '../../src/generation/providers/elevenlabs-provider';
import { APP_NAME, APP_VERSION, GENERATE_SONG_WORKFLOW, GENERATE_VARIANT_WORKFLOW } from '../../src/generation/workflow-names';
import { stopService } from '../../src/launcher/services';
import { runAdmin } from '../support/admin';
import { callTarget, startElevenLabsStub } from '../support/elevenlabs-stub';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { eventually, payForOrder } from '../support/fixtures';
import { tempDir } from '../support/temp-dir';
import { spawnWorkerProcess, stubbedWorkerEnv, testGenerationDeps } from '../support/worker';

const EXECUTOR = 'upgrade-worker';
let db: TestDatabase;
let stub: Awaited<ReturnType<typeof startElevenLabsStub>>;
let v1: ChildProcess | undefined;
const output: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  stub = await startElevenLabsStub({ latencyMs: 1500 });
});
afterAll(async () => {
  if (v1) await stopService(v1, 1000);
  if (DBOS.isInitialized()) await DBOS.shutdown();
  await stub?.close();
});

/** Orders whose order workflow ran the v2-only step (the new path). */
const newPathOrders: string[] = [];

/**
 * "v2": the generation workflows with a changed body, registered under the
 * same names, launched with the production worker's DBOS settings (pinned
 * APP_VERSION, patching on, same executor id) so it recovers v1's workflows.
 */
async function deployV2(deps: GenerationDeps): Promise<void> {
  const variantWorkflow: (orderId: string, variantNumber: number) => Promise<VariantOutcome> = DBOS.registerWorkflow(
    async (orderId: string, variantNumber: number): Promise<VariantOutcome> => {
      // a step v1 never had, before the provider call
      if (await DBOS.patch('variant-audit')) await DBOS.runStep(async () => `audit ${orderId}:${variantNumber}`, { name: 'variant-audit' });
      return generateVariant(dbosContext(variantWorkflow), deps, orderId, variantNumber);
    },
    { name: GENERATE_VARIANT_WORKFLOW },
  );
  const ctx = dbosContext(variantWorkflow);
  DBOS.registerWorkflow(
    async (orderId: string) => {
      if (await DBOS.patch('order-audit')) await DBOS.runStep(async () => void newPathOrders.push(orderId), { name: 'order-audit' });
      return generateSong(ctx, deps, orderId);
    },
    { name: GENERATE_SONG_WORKFLOW },
  );
  registerRetryVariantWorkflow(deps);
  DBOS.setConfig({ name: APP_NAME, systemDatabaseUrl: db.url, applicationVersion: APP_VERSION, enablePatching: true, executorID: EXECUTOR, logLevel: 'error' });
  await DBOS.launch();
  await registerGenerationQueues(2, 100);
}

const workflowStatuses = async (orderId: string) =>
  (
    await db.pool.query<{ workflow_uuid: string; status: string }>(
      `select workflow_uuid, status from dbos.workflow_status where workflow_uuid like $1 order by 1`,
      [`order:${orderId}%`],
    )
  ).rows;
const callsPerVariant = (recipient: string) => {
  const counts: Record<number, number> = {};
  for (const c of stub.calls) {
    const t = callTarget(c);
    if (t.recipient === recipient) counts[t.variant] = (counts[t.variant] ?? 0) + 1;
  }
  return counts;
};
const allComplete = async (orderId: string) =>
  (await db.pool.query<{ n: number }>(`select count(*)::int as n from public.song_variants where order_id = $1 and generation_status = 'complete'`, [orderId]))
    .rows[0]!.n === 3;

describe('deploying changed workflow code while older workflows are in flight', () => {
  it('every v1 workflow completes on v2 code with one paid call per variant; `admin versions` shows what is left', async () => {
    const a = await payForOrder(db, { recipient_name: 'Upgrade Alpha' });
    const b = await payForOrder(db, { recipient_name: 'Upgrade Bravo' });
    v1 = spawnWorkerProcess(
      db.url,
      { ...stubbedWorkerEnv(stub.url), WORKER_EXECUTOR_ID: EXECUTOR, GENERATION_ATTEMPT_TIMEOUT_MS: '20000', DATA_DIR: tempDir('upgrade'), LOG_LEVEL: 'info' },
      output,
    );
    // v1 is mid-way: some calls done or under way, others still waiting for a slot
    await eventually(async () => stub.calls.length >= 3 && stub.concurrency().current >= 1, 60_000, `v1 mid-way; output:\n${output.join('\n')}`);
    const exited = new Promise<number | null>((resolve) => v1!.once('exit', (code) => resolve(code)));
    v1.kill('SIGTERM');
    expect(await exited).toBe(0);
    v1 = undefined;
    const callsAtDeploy = stub.calls.length;
    expect(callsAtDeploy).toBeLessThan(6);

    const versions = await runAdmin(db.url, ['versions']);
    expect(versions.code).toBe(0);
    expect(versions.lines).toContainEqual(expect.stringMatching(new RegExp(`^${APP_VERSION}: \\d+ pending$`)));
    expect(versions.lines.join('\n')).toContain(GENERATE_SONG_WORKFLOW);

    const provider = createElevenLabsProvider({ apiKey: 'xi-test', baseUrl: stub.url, attemptTimeoutMs: 20_000 });
    await deployV2(testGenerationDeps(db.pool, provider));
    const c = await payForOrder(db, { recipient_name: 'Upgrade Charlie' });

    for (const order of [a, b, c]) await eventually(() => allComplete(order.orderId), 120_000, `order ${order.orderId} to complete`);
    for (const order of [a, b]) {
      // the order and its 3 variants, all finished on v2's code
      expect(await workflowStatuses(order.orderId)).toEqual([
        { workflow_uuid: `order:${order.orderId}`, status: 'SUCCESS' },
        ...[1, 2, 3].map((n) => ({ workflow_uuid: `order:${order.orderId}:variant:${n}`, status: 'SUCCESS' })),
      ]);
    }
    // no duplicate paid call: one per variant, across both deploys
    expect(callsPerVariant('Upgrade Alpha')).toEqual({ 1: 1, 2: 1, 3: 1 });
    expect(callsPerVariant('Upgrade Bravo')).toEqual({ 1: 1, 2: 1, 3: 1 });
    expect(callsPerVariant('Upgrade Charlie')).toEqual({ 1: 1, 2: 1, 3: 1 });
    const ledger = await db.pool.query<{ n: number }>(`select count(*)::int as n from public.provider_calls where order_id = any($1)`, [
      [a.orderId, b.orderId],
    ]);
    expect(ledger.rows[0]!.n).toBe(6);
    // v1's order workflows replayed the old path; the order started under v2 took the new one
    expect(newPathOrders).toEqual([c.orderId]);

    expect((await runAdmin(db.url, ['versions'])).lines).toContain('no pending workflows');
  }, 240_000);
});
