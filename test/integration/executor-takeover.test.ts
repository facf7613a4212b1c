import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopService } from '../../src/launcher/services';
import { spawnWorkerProcess, stubbedWorkerEnv } from '../support/worker';
import { createTestDatabase, createUser, type TestDatabase } from '../support/database';
import { startElevenLabsStub } from '../support/elevenlabs-stub';
import { createCustomizationRow, deliver, eventually, paidEvent, webhookDeps } from '../support/fixtures';

const ORDERS = 4;
let db: TestDatabase;
let stub: Awaited<ReturnType<typeof startElevenLabsStub>>;
const workers: ChildProcess[] = [];
const output: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  stub = await startElevenLabsStub({ latencyMs: 2000 });
});

afterAll(async () => {
  await Promise.all(workers.map((w) => stopService(w)));
  await stub.close();
});

function startWorker(id: string): ChildProcess {
  const child = spawnWorkerProcess(db.url, { ...stubbedWorkerEnv(stub.url), WORKER_EXECUTOR_ID: id, LOG_LEVEL: 'info' }, output);
  workers.push(child);
  return child;
}

/** Provider calls open right now whose variant workflow runs on `executorId`. */
async function openCallsOn(executorId: string): Promise<number> {
  const { rows } = await db.pool.query(
    `select count(*)::int as n from public.provider_calls c
     join dbos.workflow_status w on w.workflow_uuid = 'order:' || c.order_id || ':variant:' || c.variant_number
     where c.finished_at is null and w.status = 'PENDING' and w.executor_id = $1`,
    [executorId],
  );
  return rows[0].n;
}

describe('a dead worker strands no order', () => {
  it('2 workers; one is SIGKILLed mid-generation and never restarted: the survivor completes every order within 60 s, paying again only for the interrupted calls', async () => {
    const doomed = startWorker('takeover-doomed');
    startWorker('takeover-survivor');
    await eventually(async () => output.filter((l) => l.includes('worker ready')).length === 2, 90_000, `both workers ready:\n${output.join('\n')}`);
    const deps = await webhookDeps(db.pool, db.url);
    for (let i = 0; i < ORDERS; i++) {
      const user = await createUser(db.pool);
      await deliver(deps, paidEvent(user, await createCustomizationRow(db.pool, user)));
    }
    await eventually(async () => (await openCallsOn('takeover-doomed')) > 0, 60_000, 'the doomed worker to have a provider call in flight');
    const exited = new Promise((resolve) => doomed.once('exit', (_code, signal) => resolve(signal)));
    doomed.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const killedAt = Date.now();
    const interrupted = await openCallsOn('takeover-doomed'); // it can no longer finish any of them
    expect(interrupted).toBeGreaterThan(0);

    await eventually(
      async () => {
        const { rows } = await db.pool.query(`select count(*)::int as n from dbos.workflow_status where name = 'generate-song' and status = 'SUCCESS'`);
        return rows[0].n === ORDERS;
      },
      60_000,
      `every order to complete on the survivor; output:\n${output.slice(-40).join('\n')}`,
    );
    const tookMs = Date.now() - killedAt;

    const { rows: variants } = await db.pool.query(`select count(*)::int as n from public.song_variants where generation_status = 'complete'`);
    const { rows: calls } = await db.pool.query(
      `select count(*)::int as n, count(*) filter (where outcome = 'unknown')::int as unknown from public.provider_calls`,
    );
    const { rows: left } = await db.pool.query(
      `select count(*)::int as n from dbos.workflow_status where executor_id = 'takeover-doomed' and status = 'PENDING'`,
    );
    console.log(
      `takeover: ${interrupted} calls interrupted by the kill; all ${ORDERS} orders done ${tookMs} ms after it; ${calls[0].n} provider calls for ${ORDERS * 3} variants`,
    );
    expect(tookMs).toBeLessThan(60_000);
    expect(variants[0].n).toBe(ORDERS * 3);
    expect(left[0].n).toBe(0);
    expect(calls[0].n).toBe(ORDERS * 3 + interrupted); // the interrupted calls, and nothing else, were made again
    expect(calls[0].unknown).toBe(interrupted);
    // A call the kill cut off between its ledger row and its request never reached the provider.
    expect(stub.calls.length).toBeGreaterThanOrEqual(ORDERS * 3);
    expect(stub.calls.length).toBeLessThanOrEqual(ORDERS * 3 + interrupted);
    expect(output.some((l) => l.includes('adopted the pending workflows of a dead worker'))).toBe(true);
  }, 240_000);
});
