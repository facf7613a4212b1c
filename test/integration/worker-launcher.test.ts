import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopService } from '../../src/launcher/services';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { eventually } from '../support/fixtures';
import { spawnWorkerLauncher } from '../support/worker';
import { stealExecutorLock } from '../support/steal-executor-lock';

let db: TestDatabase;
let launcher: ChildProcess | undefined;
const output: string[] = [];
const executorId = 'launcher-test-worker';

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  if (launcher) await stopService(launcher);
});

/** Backend pid of the worker's executor lock connection, if one is open. */
async function lockBackend(): Promise<number | undefined> {
  const { rows } = await db.pool.query<{ pid: number }>(
    'select pid from pg_stat_activity where application_name = $1 and datname = current_database()',
    [`songswipe-worker:${executorId}`],
  );
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
