/**
 * Crash-safety proof: 30 orders (90 variant workflows) through a worker that is SIGKILLed at random
 * moments and restarted, against an ElevenLabs stub with random latency and
 * 10% retryable faults. Prints its figures.
 */
import type { ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prng } from '../../src/generation/providers/synth-music';
import { stopService } from '../../src/launcher/services';
import { spawnWorkerProcess, stubbedWorkerEnv } from '../support/worker';
import { createTestDatabase, createUser, type TestDatabase } from '../support/database';
import { ELEVENLABS_ERRORS, startElevenLabsStub } from '../support/elevenlabs-stub';
import { createCustomizationRow, deliver, paidEvent, webhookDeps } from '../support/fixtures';
import { tempDir } from '../support/temp-dir';

const ORDERS = 30;
const MIN_KILLS = 8;
let db: TestDatabase;
let stub: Awaited<ReturnType<typeof startElevenLabsStub>>;
const dataDir = tempDir('chaos');
let worker: ChildProcess | undefined;
const output: string[] = [];
let injectedFaults = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  const random = prng(20261129); // seeded; which call meets which fault still depends on arrival order
  stub = await startElevenLabsStub({
    script: () => {
      if (random() < 0.1) {
        injectedFaults++;
        return { ...ELEVENLABS_ERRORS.serverError(503), latencyMs: 50 };
      }
      return { kind: 'ok', latencyMs: 100 + Math.floor(random() * 300) };
    },
  });
});

afterAll(async () => {
  if (worker) await stopService(worker);
  await stub.close();
});

function startWorker(): ChildProcess {
  worker = spawnWorkerProcess(
    db.url,
    {
      ...stubbedWorkerEnv(stub.url),
      DATA_DIR: dataDir,
      GENERATION_MAX_ATTEMPTS: '6',
      GENERATION_RETRY_BASE_MS: '50',
      GENERATION_RETRY_MAX_MS: '400',
      WORKER_EXECUTOR_ID: 'chaos-worker',
    },
    output,
  );
  return worker;
}

async function progress() {
  const { rows } = await db.pool.query(
    `select (select count(*)::int from public.song_variants where generation_status = 'complete') as complete,
            (select count(*)::int from dbos.workflow_status where name = 'generate-song' and status = 'SUCCESS') as done`,
  );
  return rows[0] as { complete: number; done: number };
}

describe('crash safety under SIGKILL and provider faults', () => {
  it(`${ORDERS} orders complete with exactly 3 variants and 3 files each, no orphans, no duplicate paid calls beyond kills and faults`, async () => {
    const deps = await webhookDeps(db.pool, db.url);
    for (let i = 0; i < ORDERS; i++) {
      const user = await createUser(db.pool);
      await deliver(deps, paidEvent(user, await createCustomizationRow(db.pool, user)));
    }
    const random = prng(7);
    let kills = 0;
    const deadline = Date.now() + 280_000;
    startWorker();
    while ((await progress()).done < ORDERS) {
      if (Date.now() > deadline) throw new Error(`timed out: ${JSON.stringify(await progress())}\n${output.slice(-30).join('\n')}`);
      await new Promise((r) => setTimeout(r, 400 + random() * 1000));
      const current = worker!;
      if (current.exitCode !== null) {
        startWorker(); // it exited on its own (e.g. the executor lock not yet released): start again
        continue;
      }
      if (kills < MIN_KILLS + 1 && (await progress()).done < ORDERS) {
        const exited = new Promise((r) => current.once('exit', r));
        current.kill('SIGKILL');
        await exited;
        kills++;
        startWorker();
      }
    }

    const { rows: orders } = await db.pool.query(
      `select o.id, count(v.*) filter (where v.generation_status = 'complete')::int as complete, count(v.*)::int as variants
       from public.orders o left join public.song_variants v on v.order_id = o.id group by o.id`,
    );
    const { rows: calls } = await db.pool.query(`select count(*)::int as n, count(*) filter (where outcome = 'success')::int as ok from public.provider_calls`);
    const { rows: stuck } = await db.pool.query(`select count(*)::int as n from dbos.workflow_status where status in ('PENDING', 'ENQUEUED')`);
    const { rows: paths } = await db.pool.query<{ storage_path: string }>(`select storage_path from public.song_variants where generation_status = 'complete'`);
    const files = readdirSync(path.join(dataDir, 'storage', 'songs'), { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile())
      .map((d) => path.relative(path.join(dataDir, 'storage'), path.join(d.parentPath, d.name)));
    const budget = ORDERS * 3 + kills + injectedFaults;
    console.log(
      `chaos: ${ORDERS} orders, ${kills} SIGKILLs, ${injectedFaults} injected 503s; provider calls ${calls[0].n} (${calls[0].ok} successful) of a budget of ${budget}; ${files.length} files; stub saw ${stub.calls.length} requests`,
    );

    expect(kills).toBeGreaterThanOrEqual(MIN_KILLS);
    expect(orders).toHaveLength(ORDERS);
    expect(orders.every((o) => o.complete === 3 && o.variants === 3)).toBe(true);
    expect(files.sort()).toEqual(paths.map((p) => p.storage_path).sort()); // 3 files per order, nothing orphaned
    expect(calls[0].n).toBeLessThanOrEqual(budget);
    expect(stub.calls.length).toBeLessThanOrEqual(budget);
    expect(stuck[0].n).toBe(0);
  }, 320_000);
});
