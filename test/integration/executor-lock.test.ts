import { beforeAll, describe, expect, it } from 'vitest';
import { lockExecutorId } from '../../src/generation/executor-lock';
import { createTestDatabase, type TestDatabase } from '../support/database';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});

describe('executor id lock', () => {
  it('lets one live process hold an executor id, and hands it over once released', async () => {
    const first = await lockExecutorId(db.url, 'worker-a');
    await expect(lockExecutorId(db.url, 'worker-a')).rejects.toThrow(/already running with WORKER_EXECUTOR_ID=worker-a.*WORKER_EXECUTOR_ID=worker-a-2/);
    const other = await lockExecutorId(db.url, 'worker-b');
    await first.release();
    const second = await lockExecutorId(db.url, 'worker-a');
    await Promise.all([second.release(), other.release()]);
  });
});
