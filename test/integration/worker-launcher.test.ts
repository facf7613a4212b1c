import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopService } from '../../src/launcher/services';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { eventually } from '../support/fixtures';
import { connectClient } from '../../src/db/pool';
import { spawnWorkerLauncher, spawnWorkerProcess } from '../support/worker';
import { stealExecutorLock } from '../support/steal-executor-lock';

let db: TestDatabase;
let launcher: ChildProcess | undefined;
const output: string[] = [];
const executorId = 'launcher-test-worker';

beforeAll(async () => {
  db = await createTestDatabase();
});

const others: ChildProcess[] = [];

afterAll(async () => {
  if (launcher) await stopService(launcher);
  await Promise.all(others.map((w) => stopService(w, 5000)));
});

/** Backend pid of the worker's executor lock connection, if one is open. */
async function lockBackend(): Promise<number | undefined> {
  const { rows } = await db.pool.query<{ pid: number }>('select pid from pg_stat_activity where application_name = $1 and datname = current_database()', [
    `songswipe-worker:${executorId}`,
  ]);
  return rows[0]?.pid;
}

describe('npm run worker', () => {
  it('starts the worker again after it exits on losing its executor lock, and keeps running', async () => {
    launcher = spawnWorkerLauncher(db.url, { WORKER_EXECUTOR_ID: executorId, LOG_LEVEL: 'info' }, output);
    const first = await eventually(lockBackend, 60_000, `the worker to take its lock; output:\n${output.join('\n')}`);
    const thief = await stealExecutorLock(db.url, executorId); // the worker exits: it can't take its id back
    await eventually(async () => output.some((l) => l.includes('executor lock lost')), 30_000, 'the worker to report the loss');
    await thief.release();

    const second = await eventually(
      async () => {
        const pid = await lockBackend();
        return pid !== first ? pid : undefined;
      },
      60_000,
      `a new worker to take the lock; output:\n${output.join('\n')}`,
    );
    expect(second).not.toBe(first);
    expect(launcher.exitCode).toBeNull();
    expect(output.some((l) => l.includes('executor lock lost'))).toBe(true);
  }, 150_000);
});

describe('a worker whose executor id is held', () => {
  it('waits for it (logging every 10 s) instead of exiting, and starts once the holder lets go', async () => {
    const id = 'waiting-test-worker';
    // A previous worker with this id, still draining during a rolling deploy.
    const holder = await connectClient({ connectionString: db.url });
    await holder.query(`select pg_advisory_lock(hashtext('songswipe.executor'), hashtext($1))`, [id]);
    const lines: string[] = [];
    const worker = spawnWorkerProcess(db.url, { WORKER_EXECUTOR_ID: id, LOG_LEVEL: 'info' }, lines);
    others.push(worker);
    const waiting = () => lines.filter((l) => l.includes('Waiting for it to stop')).length;
    await eventually(async () => waiting() >= 2, 30_000, `two "waiting" lines 10 s apart; output:\n${lines.join('\n')}`);
    expect(worker.exitCode).toBeNull();
    expect(lines.some((l) => l.includes('worker ready'))).toBe(false);

    await holder.end();
    await eventually(
      async () => lines.some((l) => l.includes('worker ready')),
      60_000,
      `the worker to start once the id is free; output:\n${lines.join('\n')}`,
    );
    expect(worker.exitCode).toBeNull();
  }, 120_000);
});
