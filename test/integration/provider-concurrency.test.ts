import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopService } from '../../src/launcher/services';
import { spawnWorkerProcess, stubbedWorkerEnv } from '../support/worker';
import { createTestDatabase, createUser, type TestDatabase } from '../support/database';
import { startElevenLabsStub } from '../support/elevenlabs-stub';
import { createCustomizationRow, deliver, eventually, paidEvent, webhookDeps } from '../support/fixtures';

const LIMIT = 3;
const ORDERS = 10;
/**
 * A stub call's time. Real ElevenLabs calls take 30–120 s; between two calls a
 * slot spends a fixed ~150–200 ms (measured here under load) on the queue poll,
 * the child workflow's checkpoints and its ledger writes. At 300 ms that
 * overhead alone held the mean to 58–64% of the limit, which measured our
 * bookkeeping, not whether slots idle while a backlog waits; at 1000 ms it
 * measured 86%. The 81% floor stays.
 */
const CALL_MS = 1000;
let db: TestDatabase;
let stub: Awaited<ReturnType<typeof startElevenLabsStub>>;
const workers: ChildProcess[] = [];
const output: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  stub = await startElevenLabsStub({ latencyMs: CALL_MS });
});

afterAll(async () => {
  await Promise.all(workers.map((w) => stopService(w)));
  await stub.close();
});

function startWorker(id: string): ChildProcess {
  const child = spawnWorkerProcess(
    db.url,
    { ...stubbedWorkerEnv(stub.url), GENERATION_CONCURRENCY: String(LIMIT), QUEUE_POLL_MS: '50', WORKER_EXECUTOR_ID: id, LOG_LEVEL: 'info' },
    output,
  );
  workers.push(child);
  return child;
}

async function payOrder(): Promise<void> {
  const user = await createUser(db.pool);
  await deliver(await webhookDeps(db.pool, db.url), paidEvent(user, await createCustomizationRow(db.pool, user)));
}

async function ordersDone(n: number, what: string): Promise<void> {
  await eventually(
    async () => {
      const { rows } = await db.pool.query(`select count(*)::int as n from dbos.workflow_status where name = 'generate-song' and status = 'SUCCESS'`);
      return rows[0].n === n;
    },
    90_000,
    `${what}; worker output:\n${output.join('\n')}`,
  );
}

describe('provider concurrency across worker processes', () => {
  it(`one order on idle workers with ${LIMIT} slots: its 3 variants are generated at the same time`, async () => {
    // Both workers up and polling first, so either can take each variant.
    startWorker('conc-worker-1');
    startWorker('conc-worker-2');
    await eventually(async () => output.filter((l) => l.includes('worker ready')).length === 2, 60_000, `both workers ready:\n${output.join('\n')}`);
    await payOrder();
    await ordersDone(1, 'the order to finish');
    expect(stub.calls).toHaveLength(3);
    expect(stub.concurrency().max).toBe(3); // one after another would never have more than 1 in flight
  });

  it(`2 workers, limit ${LIMIT}, ${ORDERS} orders of 3 calls at ${CALL_MS} ms: never more than ${LIMIT} calls in flight, and the slots stay busy`, async () => {
    // Paid at once, so a backlog exists from the start: the slots have no reason to idle.
    await Promise.all(Array.from({ length: ORDERS }, () => payOrder()));
    await ordersDone(ORDERS + 1, 'all orders to finish');

    const { max, meanWhileBusy } = stub.concurrency();
    const { rows } = await db.pool.query(`select count(*)::int as n from public.song_variants where generation_status = 'complete'`);
    const { rows: executors } = await db.pool.query(
      `select executor_id, count(*)::int as n from dbos.workflow_status where name = 'generate-variant' group by 1 order by 1`,
    );
    // The workers' own view: each call's ledger row opens before the request and closes after
    // the answer, both inside its variant workflow's PENDING time, so overlaps count slots in use.
    const { rows: ledger } = await db.pool.query<{ max: number }>(
      `with e as (select started_at as t, 1 as d from public.provider_calls union all select finished_at, -1 from public.provider_calls)
       select max(s)::int as max from (select sum(d) over (order by t, d rows unbounded preceding) as s from e) x`,
    );
    console.log(
      `provider concurrency: ledger max ${ledger[0]!.max}, stub max ${max}, mean while busy ${meanWhileBusy.toFixed(2)} of ${LIMIT} (${((meanWhileBusy / LIMIT) * 100).toFixed(0)}%); workflows per executor ${JSON.stringify(executors)}`,
    );
    expect(rows[0].n).toBe((ORDERS + 1) * 3);
    expect(stub.calls).toHaveLength((ORDERS + 1) * 3);
    expect(max).toBeLessThanOrEqual(LIMIT);
    expect(ledger[0]!.max).toBeLessThanOrEqual(LIMIT);
    expect(executors).toHaveLength(2); // both processes took work
    expect(meanWhileBusy).toBeGreaterThanOrEqual(0.9 * LIMIT * 0.9); // ≥ 90% of the limit, less the tail where fewer variants than slots remain
  });
});
