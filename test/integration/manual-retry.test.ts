import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DBOS } from '@dbos-inc/dbos-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retryFailedVariant } from '../../src/admin/operations';
import { PROJECT_ROOT } from '../../src/db/migrate';
import { listVariants } from '../../src/db/song-variants';
import { deriveGenerationStatus } from '../../src/generation/generation-status';
import { ConflictError, PermanentProviderError } from '../../src/errors';
import { getDbosScheduler } from '../../src/generation/dbos-scheduler';
import { occasionPriority } from '../../src/generation/priority';
import type { MusicProvider } from '../../src/generation/providers/music-provider';
import { createSynthProvider } from '../../src/generation/providers/synth-provider';
import { launchInProcessWorker, testGenerationDeps } from '../support/worker';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { payForOrder } from '../support/fixtures';

let db: TestDatabase;
let failVariant2 = true;
const synth = createSynthProvider();
const provider: MusicProvider = {
  name: 'flaky-synth',
  async generate(prompt, options) {
    if (options.variantNumber === 2 && failVariant2) throw new PermanentProviderError('bad_prompt: try again later', 400);
    return synth.generate(prompt, options);
  },
};

beforeAll(async () => {
  db = await createTestDatabase();
  const deps = testGenerationDeps(db.pool, provider, { retry: { maxAttempts: 2, backoff: { baseMs: 20, capMs: 50 }, maxRateLimitWaits: 4, pausePollMs: 100 } });
  await launchInProcessWorker(db.url, deps, 'retry-test');
});

afterAll(async () => {
  await DBOS.shutdown();
});

describe('manual retry of a dead-lettered variant', () => {
  it('regenerates only that variant, keeps its share token, and resolves the dead letter', async () => {
    const { orderId } = await payForOrder(db);
    await DBOS.retrieveWorkflow(`order:${orderId}`).getResult();
    const before = await listVariants(db.pool, orderId);
    expect(before.map((v) => v.status)).toEqual(['complete', 'failed', 'complete']);

    // The CLI lists it, as an operator would see it.
    const cli = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/admin.ts', 'failed-jobs'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, DATABASE_URL: db.url },
    });
    expect(cli.stdout).toContain(`order ${orderId}  variant 2  attempts 1`);
    expect(cli.stdout).toContain('bad_prompt: try again later');

    failVariant2 = false;
    const dbos = await getDbosScheduler(db.url);
    const { workflowId } = await retryFailedVariant(db.pool, dbos, orderId, 2);
    expect(workflowId.startsWith(`order:${orderId}:retry:2:`)).toBe(true); // found by the refund's prefix cancel
    expect(await retryFailedVariant(db.pool, dbos, orderId, 2)).toEqual({ workflowId }); // asked twice: same workflow
    expect(await DBOS.retrieveWorkflow(workflowId).getResult()).toBe('complete');
    // The retry waited its turn on the provider queue with its order's priority (its occasion date's).
    const { rows: queued } = await db.pool.query(
      `select workflow_uuid, queue_name, priority from dbos.workflow_status where workflow_uuid in ($1, $2) order by 1`,
      [`order:${orderId}:variant:2`, workflowId],
    );
    expect(queued).toEqual(
      [`order:${orderId}:variant:2`, workflowId]
        .sort()
        .map((id) => ({ workflow_uuid: id, queue_name: 'music-provider', priority: occasionPriority('2026-12-24', 0) })),
    );
    expect(occasionPriority('2026-12-24', 0)).toBeGreaterThan(0);

    const after = await listVariants(db.pool, orderId);
    expect(after.map((v) => v.status)).toEqual(['complete', 'complete', 'complete']);
    expect(after.map((v) => v.shareToken)).toEqual(before.map((v) => v.shareToken));
    // the siblings were not touched; the retried one completed now
    expect([after[0]!.completedAt, after[2]!.completedAt]).toEqual([before[0]!.completedAt, before[2]!.completedAt]);
    expect(before[1]!.completedAt).toBeNull();
    expect(after[1]!.completedAt).toBeInstanceOf(Date);
    const { rows: jobs } = await db.pool.query('select resolved_at from public.failed_jobs where order_id = $1', [orderId]);
    expect(jobs).toHaveLength(1);
    expect(jobs[0].resolved_at).toBeInstanceOf(Date);
    const { rows: calls } = await db.pool.query(
      'select variant_number, count(*)::int as n from public.provider_calls where order_id = $1 group by 1 order by 1',
      [orderId],
    );
    expect(calls).toEqual([
      { variant_number: 1, n: 1 },
      { variant_number: 2, n: 2 },
      { variant_number: 3, n: 1 },
    ]);

    await expect(retryFailedVariant(db.pool, dbos, orderId, 1)).rejects.toBeInstanceOf(ConflictError);
  });

  it('a retry that fails again dead-letters the variant again, and a second retry runs as a new workflow', async () => {
    failVariant2 = true;
    const { orderId } = await payForOrder(db);
    await DBOS.retrieveWorkflow(`order:${orderId}`).getResult();
    const dbos = await getDbosScheduler(db.url);

    // The provider refuses again: the retry ends `failed`, and so does the variant, with a new dead letter.
    const first = await retryFailedVariant(db.pool, dbos, orderId, 2);
    expect(await DBOS.retrieveWorkflow(first.workflowId).getResult()).toBe('failed');
    const variants = await listVariants(db.pool, orderId);
    expect(variants.map((v) => v.status)).toEqual(['complete', 'failed', 'complete']);
    expect(deriveGenerationStatus(variants.map((v) => v.status))).toBe('partial');
    const { rows: jobs } = await db.pool.query(`select resolved_at is not null as resolved from public.failed_jobs where order_id = $1 order by failed_at`, [
      orderId,
    ]);
    expect(jobs).toEqual([{ resolved: true }, { resolved: false }]); // the retried one is closed; the new failure is open

    // A second retry is a new workflow (not the finished first one), and it completes the variant.
    failVariant2 = false;
    const second = await retryFailedVariant(db.pool, dbos, orderId, 2);
    expect(second.workflowId).not.toBe(first.workflowId);
    expect(await DBOS.retrieveWorkflow(second.workflowId).getResult()).toBe('complete');
    expect((await listVariants(db.pool, orderId)).map((v) => v.status)).toEqual(['complete', 'complete', 'complete']);
    const { rows: open } = await db.pool.query(`select count(*)::int as n from public.failed_jobs where order_id = $1 and resolved_at is null`, [orderId]);
    expect(open[0].n).toBe(0);
    const { rows: calls } = await db.pool.query('select count(*)::int as n from public.provider_calls where order_id = $1 and variant_number = 2', [orderId]);
    expect(calls[0].n).toBe(3); // the first call, the refused retry, the successful retry
  });
});
