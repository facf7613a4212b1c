/**
 * A worker is SIGKILLed mid-order and restarted with a different value of one
 * env setting that steers a workflow (attempt budget, backoff, pause poll, song
 * length). Both workflow kinds in flight at the kill (generate-song and
 * retry-variant) must replay without a DBOS "recorded when ... was expected"
 * error and finish under the policy they started with.
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { retryFailedVariant } from '../../src/admin/operations';
import { pauseGeneration, resumeGeneration } from '../../src/db/generation-control';
import { listVariants } from '../../src/db/song-variants';
import { getDbosClient } from '../../src/generation/enqueue';
import { dbosScheduler } from '../../src/generation/dbos-scheduler';
import { stopService } from '../../src/launcher/services';
import { spawnWorkerProcess, stubbedWorkerEnv } from '../support/worker';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { callTarget, ELEVENLABS_ERRORS, startElevenLabsStub, type StubCall, type StubReply } from '../support/elevenlabs-stub';
import { eventually, payForOrder } from '../support/fixtures';
import { tempDir } from '../support/temp-dir';

/** The policy every in-flight workflow starts with. */
const BASE_ENV = {
  GENERATION_MAX_ATTEMPTS: '4',
  GENERATION_RETRY_BASE_MS: '20',
  GENERATION_RETRY_MAX_MS: '100',
  GENERATION_PAUSE_POLL_MS: '200',
  SONG_LENGTH_MS: '3000',
};

/** One case per steering value; each would strand or drift today's in-flight workflows. */
const CHANGES: { name: string; env: Partial<typeof BASE_ENV> }[] = [
  { name: 'GENERATION_MAX_ATTEMPTS lowered (4 → 2)', env: { GENERATION_MAX_ATTEMPTS: '2' } },
  { name: 'GENERATION_MAX_ATTEMPTS raised (4 → 8), and with it the rate-limit budget', env: { GENERATION_MAX_ATTEMPTS: '8' } },
  { name: 'GENERATION_RETRY_BASE_MS / _MAX_MS raised to minutes', env: { GENERATION_RETRY_BASE_MS: '600000', GENERATION_RETRY_MAX_MS: '3600000' } },
  { name: 'GENERATION_PAUSE_POLL_MS raised to 10 minutes', env: { GENERATION_PAUSE_POLL_MS: '600000' } },
  { name: 'SONG_LENGTH_MS doubled', env: { SONG_LENGTH_MS: '6000' } },
];

let db: TestDatabase;
let stub: Awaited<ReturnType<typeof startElevenLabsStub>>;
const dataDir = tempDir('replay');
let worker: ChildProcess | undefined;
const output: string[] = [];
/** Scripted replies per `<recipient>:<variant>`, by call number (1-based); missing: ok. */
const scripts = new Map<string, (n: number) => StubReply>();
const counts = new Map<string, number>();
const HANG: StubReply = { kind: 'hang', ms: 120_000 };

function keyOf(call: StubCall): string {
  const { recipient, variant } = callTarget(call);
  return `${recipient}:${variant}`;
}
const callsFor = (key: string) => stub.calls.filter((c) => keyOf(c) === key);

beforeAll(async () => {
  db = await createTestDatabase();
  stub = await startElevenLabsStub({
    script: (call) => {
      const key = keyOf(call);
      const n = (counts.get(key) ?? 0) + 1;
      counts.set(key, n);
      return scripts.get(key)?.(n) ?? { kind: 'ok' };
    },
  });
});

afterEach(async () => {
  if (worker) await stopService(worker);
  worker = undefined;
  // A failed case must not leave the next one paused, or its stuck workflows holding the queue's slots.
  await resumeGeneration(db.pool);
  const dbos = await getDbosClient(db.url);
  const stuck = await dbos.listWorkflows({ status: ['ENQUEUED', 'PENDING'] });
  if (stuck.length) await dbos.cancelWorkflows(stuck.map((w) => w.workflowID));
});

afterAll(async () => {
  await stub.close();
});

function startWorker(executorId: string, env: Record<string, string>): ChildProcess {
  worker = spawnWorkerProcess(db.url, { ...stubbedWorkerEnv(stub.url), DATA_DIR: dataDir, WORKER_EXECUTOR_ID: executorId, ...env }, output);
  return worker;
}

async function workflowStatus(workflowId: string): Promise<string | undefined> {
  const { rows } = await db.pool.query<{ status: string }>('select status from dbos.workflow_status where workflow_uuid = $1', [workflowId]);
  return rows[0]?.status;
}

/** The worker's last log messages (without stacks), for failure messages. */
const log = () =>
  `worker output:\n${output
    .slice(-25)
    .map((line) => {
      try {
        const { msg, err } = JSON.parse(line) as { msg?: string; err?: { message?: string } };
        return [msg, err?.message].filter(Boolean).join(': ');
      } catch {
        return line;
      }
    })
    .join('\n')}`;

describe('replay after a restart with changed configuration', () => {
  CHANGES.forEach((change, i) => {
    it(`${change.name}: both workflow kinds replay and finish under the policy they started with`, { timeout: 150_000 }, async () => {
      const executorId = `replay-worker-${i}`;
      const g = `Gen${i}`; // generate-song: variant 1 always 503 (dead-lettered), variant 2's first call in flight at the kill
      const r = `Retry${i}`; // retry-variant of variant 2: its third call in flight at the kill, then 503s
      scripts.set(`${g}:1`, () => ELEVENLABS_ERRORS.serverError(503));
      scripts.set(`${g}:2`, (n) => (n === 1 ? HANG : { kind: 'ok' }));
      scripts.set(`${r}:2`, (n) => (n === 1 ? ELEVENLABS_ERRORS.badPrompt(null) : n === 4 ? HANG : ELEVENLABS_ERRORS.serverError(503)));

      startWorker(executorId, BASE_ENV);
      const { orderId: genOrder } = await payForOrder(db, { recipient_name: g });
      const { orderId: retryOrder } = await payForOrder(db, { recipient_name: r });
      await eventually(async () => (await workflowStatus(`order:${retryOrder}`)) === 'SUCCESS', 60_000, `the retry order to settle; ${log()}`);
      const { workflowId: retryId } = await retryFailedVariant(db.pool, dbosScheduler(await getDbosClient(db.url)), retryOrder, 2);
      await eventually(async () => callsFor(`${g}:2`).length === 1 && callsFor(`${r}:2`).length === 4, 60_000, `both workflows mid-call; ${log()}`);

      // Paused at the kill, so the restarted worker's first move on each is a pause poll.
      await pauseGeneration(db.pool, 'test: paused across the restart');
      const killed = worker!;
      const exited = new Promise((resolve) => killed.once('exit', (_code, signal) => resolve(signal)));
      killed.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');

      startWorker(executorId, { ...BASE_ENV, ...change.env });
      // The order's variant 2 (a child workflow on the provider queue) and the retry were mid-call.
      const midCall = [`order:${genOrder}:variant:2`, retryId];
      const workflows = [`order:${genOrder}`, retryId];
      // Each one either polls the pause or (today's fault) fails its replay at once.
      await eventually(
        async () => {
          const { rows } = await db.pool.query<{ n: number }>(
            `select count(*)::int as n from dbos.workflow_status s
           where s.workflow_uuid = any($1)
             and (s.status not in ('PENDING', 'ENQUEUED') or exists (
               select 1 from dbos.operation_outputs o where o.workflow_uuid = s.workflow_uuid and o.output like '%generation is paused%'))`,
            [midCall],
          );
          return rows[0]!.n === 2;
        },
        60_000,
        `both workflows to poll the pause; ${log()}`,
      );
      await resumeGeneration(db.pool);

      const statuses = await eventually(
        async () => {
          const all = await Promise.all(workflows.map(workflowStatus));
          return all.every((s) => s && !['PENDING', 'ENQUEUED'].includes(s)) ? all : undefined;
        },
        45_000,
        `both workflows to finish; ${log()}`,
      );
      expect(statuses, log()).toEqual(['SUCCESS', 'SUCCESS']);
      expect(output.join('\n')).not.toMatch(/was recorded when .* was expected/);
      // Every call of these workflows asked for the song length they started with.
      const lengths = new Set([g, r].flatMap((who) => [1, 2, 3].flatMap((n) => callsFor(`${who}:${n}`).map((c) => c.musicLengthMs))));
      expect([...lengths]).toEqual([3000]);

      expect((await listVariants(db.pool, genOrder)).map((v) => v.status)).toEqual(['failed', 'complete', 'complete']);
      expect((await listVariants(db.pool, retryOrder)).map((v) => v.status)).toEqual(['complete', 'failed', 'complete']);
      // The attempt budget they started with (4): variant 1 made 4 calls before the kill; the
      // retry made 4 attempts, one of them twice because the kill cut its call off.
      expect(callsFor(`${g}:1`)).toHaveLength(4);
      expect(callsFor(`${r}:2`)).toHaveLength(1 + 4 + 1);
      const { rows: open } = await db.pool.query(
        `select variant_number from public.failed_jobs where order_id = any($1) and resolved_at is null order by order_id = $2 desc`,
        [[genOrder, retryOrder], genOrder],
      );
      expect(open).toEqual([{ variant_number: 1 }, { variant_number: 2 }]);
    });
  });
});
