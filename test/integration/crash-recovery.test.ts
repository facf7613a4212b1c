import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countProviderCalls } from '../../src/db/provider-calls';
import { listVariants } from '../../src/db/song-variants';
import { stopService } from '../../src/launcher/services';
import { spawnWorkerProcess } from '../support/worker';
import { createTestDatabase, createUser, type TestDatabase } from '../support/database';
import { createCustomizationRow, deliver, eventually, paidEvent, webhookDeps } from '../support/fixtures';
import { tempDir } from '../support/temp-dir';
import { stealExecutorLock } from '../support/steal-executor-lock';

let db: TestDatabase;
const dataDir = tempDir('crash');
const workers: ChildProcess[] = [];
const output: string[] = [];

function startWorker(executorId = 'crash-test-worker'): ChildProcess {
  const child = spawnWorkerProcess(db.url, { DATA_DIR: dataDir, SYNTH_LATENCY_MS: '1500', WORKER_EXECUTOR_ID: executorId, LOG_LEVEL: 'info' }, output);
  workers.push(child);
  return child;
}

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await Promise.all(workers.map((w) => stopService(w)));
});

/** A paid order delivered through the webhook; returns its id. */
async function paidOrder(): Promise<string> {
  const userId = await createUser(db.pool);
  const event = paidEvent(userId, await createCustomizationRow(db.pool, userId));
  await deliver(await webhookDeps(db.pool, db.url), event);
  const { rows } = await db.pool.query<{ id: string }>('select id from public.orders where stripe_session_id = $1', [event.data.object.id]);
  return rows[0]!.id;
}

describe('crash recovery', () => {
  it('a worker SIGKILLed after variant 1 completes is restarted; the order completes and no finished variant was generated again', async () => {
    const orderId = await paidOrder();

    const first = startWorker();
    await eventually(
      async () => (await listVariants(db.pool, orderId)).find((v) => v.variantNumber === 1)?.status === 'complete',
      60_000,
      `variant 1 to complete; worker output:\n${output.join('\n')}`,
    );
    const exited = new Promise((resolve) => first.once('exit', (_code, signal) => resolve(signal)));
    first.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const atKill = await listVariants(db.pool, orderId);
    expect(atKill.map((v) => v.status)).not.toEqual(['complete', 'complete', 'complete']);
    const finishedAtKill = atKill.filter((v) => v.status === 'complete').map((v) => v.variantNumber);

    startWorker();
    const variants = await eventually(
      async () => {
        const vs = await listVariants(db.pool, orderId);
        return vs.every((v) => v.status === 'complete') ? vs : undefined;
      },
      60_000,
      `all variants to complete after restart; worker output:\n${output.join('\n')}`,
    );
    expect(variants).toHaveLength(3);
    for (const v of variants) expect(existsSync(path.join(dataDir, 'storage', v.storagePath!))).toBe(true);

    const calls = await countProviderCalls(db.pool, orderId);
    for (const n of [1, 2, 3]) {
      // a variant finished before the kill was never regenerated; one in flight at
      // the kill was called at most once more (the ledger keeps the paid-for call)
      if (finishedAtKill.includes(n)) expect(calls[n]).toBe(1);
      else expect(calls[n]).toBeLessThanOrEqual(2);
    }
    // The variants commit before the workflow's final checkpoint: wait for that too.
    await eventually(
      async () => (await db.pool.query('select status from dbos.workflow_status where workflow_uuid = $1', [`order:${orderId}`])).rows[0]?.status === 'SUCCESS',
      30_000,
      'the workflow to finish',
    );
  }, 150_000); // two worker start-ups plus three songs; slow on a loaded machine

  it('a worker whose executor id is taken while its lock connection is down exits at once; a successor with the same id finishes the order without paying twice for a finished variant', async () => {
    await Promise.all(workers.map((w) => stopService(w))); // this order is for the worker below alone
    const orderId = await paidOrder();
    const executorId = 'lease-test-worker';
    const first = startWorker(executorId);
    await eventually(
      async () => (await listVariants(db.pool, orderId)).find((v) => v.variantNumber === 1)?.status === 'complete',
      60_000,
      `variant 1 to complete; worker output:\n${output.join('\n')}`,
    );
    const exited = new Promise<number | string>((resolve) => first.once('exit', (code, signal) => resolve(code ?? String(signal))));
    // Standing in for a database restart or failover during which a second worker
    // with the same id starts: the lock's connection goes, and someone else holds it.
    const thief = await stealExecutorLock(db.url, executorId);
    const finishedAtLoss = (await listVariants(db.pool, orderId)).filter((v) => v.status === 'complete').map((v) => v.variantNumber);
    const outcome = await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running after 10 s'), 10_000))]);
    expect(typeof outcome === 'number' && outcome > 0 ? 'exited non-zero' : outcome).toBe('exited non-zero');
    await thief.release();

    startWorker(executorId);
    await eventually(
      async () => (await listVariants(db.pool, orderId)).every((v) => v.status === 'complete'),
      60_000,
      `all variants to complete after the successor took over; worker output:\n${output.join('\n')}`,
    );
    const calls = await countProviderCalls(db.pool, orderId);
    for (const n of [1, 2, 3]) {
      // finished before the loss: never paid for again; in flight at the loss: at most once more
      if (finishedAtLoss.includes(n)) expect(calls[n]).toBe(1);
      else expect(calls[n]).toBeLessThanOrEqual(2);
    }
    expect(finishedAtLoss).toContain(1);
  }, 150_000);
});
