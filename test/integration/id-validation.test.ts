/**
 * Every id we accept is checked by one validator before it reaches SQL. A
 * looser check at one layer (e.g. `/^[0-9a-f-]{36}$/`) lets "36 dashes" through
 * to a `::uuid` cast, which fails with 22P02: a 400 or a crash where the caller
 * was promised a 404 (or, for a webhook, a 200 and an order held for review).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { retryFailedVariant } from '../../src/admin/operations';
import { PROJECT_ROOT } from '../../src/db/migrate';
import { NotFoundError } from '../../src/errors';
import { getDbosScheduler } from '../../src/generation/dbos-scheduler';
import { createTestDatabase, type TestDatabase } from '../support/database';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

/** Shaped like a UUID to a loose check, but not one. */
const LOOKALIKES = ['-'.repeat(36), 'a'.repeat(36), 'ffffffff-ffff-ffff-ffff-fffffffffffg', '00000000-0000-4000-8000-00000000000'];

describe('ids that only look like UUIDs', () => {
  it.each(LOOKALIKES)('admin retry of order %s is a 404, not a database error', async (orderId) => {
    const dbos = await getDbosScheduler(db.url);
    await expect(retryFailedVariant(db.pool, dbos, orderId, 1)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('the admin CLI refuses a malformed order id with a clear message, before any SQL', async () => {
    const run = promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/admin.ts', 'retry', '-'.repeat(36)], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, DATABASE_URL: db.url },
    });
    const failure = await run.then(
      () => {
        throw new Error('the CLI accepted a malformed order id');
      },
      (err: { code: number; stderr: string }) => err,
    );
    expect(failure.code).not.toBe(0);
    expect(failure.stderr).toMatch(/order id .* is not a UUID/);
    expect(failure.stderr).not.toMatch(/invalid input syntax|22P02/);
  }, 60_000);
});
