import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pauseGeneration, resumeGeneration } from '../../src/db/generation-control';
import { listVariants } from '../../src/db/song-variants';
import { anyFreePort } from '../../src/launcher/ports';
import { stopService } from '../../src/launcher/services';
import { createWebMetrics } from '../../src/ops/web-metrics';
import { startElevenLabsStub } from '../support/elevenlabs-stub';
import { createTestDatabase, createUser, type TestDatabase } from '../support/database';
import { createCustomizationRow, deliver, eventually, paidEvent, payForOrder, webhookDeps } from '../support/fixtures';
import { runAdmin } from '../support/admin';
import { spawnWorkerProcess, stubbedWorkerEnv } from '../support/worker';

let db: TestDatabase;
let stub: Awaited<ReturnType<typeof startElevenLabsStub>>;
let worker: ChildProcess | undefined;
let metricsPort: number;
const output: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  stub = await startElevenLabsStub({ latencyMs: 200 });
  metricsPort = await anyFreePort();
  worker = spawnWorkerProcess(db.url, { ...stubbedWorkerEnv(stub.url), METRICS_PORT: String(metricsPort), WORKER_EXECUTOR_ID: 'observability-worker' }, output);
});

afterAll(async () => {
  if (worker) await stopService(worker, 5000);
  await stub?.close();
});

/** The value of one sample line (`name{labels} value`) in Prometheus text, or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** `npm run admin -- check …` against the test database: exit code and output lines. */
const adminCheck = (...flags: string[]) => runAdmin(db.url, ['check', ...flags]);

describe('observability after a real order', () => {
  let orderId: string;

  it('the worker counts and times its provider calls, and is ready', async () => {
    orderId = (await payForOrder(db, { recipient_name: 'Metrics' })).orderId;
    await eventually(
      async () => (await listVariants(db.pool, orderId)).every((v) => v.status === 'complete') && (await listVariants(db.pool, orderId)).length === 3,
      60_000,
      `the order to complete; worker output:\n${output.join('\n')}`,
    );
    // The order workflow finishes just after its variants: wait for the queues to empty.
    await eventually(
      async () => (await db.pool.query(`select 1 from dbos.workflow_status where status in ('ENQUEUED', 'PENDING')`)).rowCount === 0,
      30_000,
      'every workflow to finish',
    );
    const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(sample(text, 'songswipe_provider_calls_total{provider="elevenlabs",outcome="success"}')).toBe(3);
    expect(sample(text, 'songswipe_provider_call_duration_seconds_count{provider="elevenlabs",outcome="success"}')).toBe(3);
    expect(sample(text, 'songswipe_provider_call_duration_seconds_sum{provider="elevenlabs",outcome="success"}')).toBeGreaterThanOrEqual(0.6); // 3 × 200 ms
    expect(sample(text, 'songswipe_provider_calls_in_flight{provider="elevenlabs"}')).toBe(0);
    expect(text).not.toContain(orderId);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/ready`)).status).toBe(200);
  }, 90_000);

  it('the web gauges read the database: queue, dead letters, needs_review, the pause flag, calls and webhook events', async () => {
    const registry = createWebMetrics(db.pool);
    let text = await registry.metrics();
    expect(sample(text, 'songswipe_queue_workflows{queue="music-provider",state="ENQUEUED"}')).toBe(0);
    expect(sample(text, 'songswipe_queue_workflows{queue="song-generation",state="PENDING"}')).toBe(0);
    expect(sample(text, 'songswipe_queue_oldest_queued_age_seconds')).toBe(0);
    expect(sample(text, 'songswipe_dead_letters_open')).toBe(0);
    expect(sample(text, 'songswipe_orders_needs_review')).toBe(0);
    expect(sample(text, 'songswipe_generation_paused')).toBe(0);
    expect(sample(text, 'songswipe_provider_calls_recorded{outcome="success"}')).toBe(3);
    expect(sample(text, 'songswipe_webhook_events{type="checkout.session.completed",outcome="fulfilled"}')).toBe(1);
    expect(text).not.toContain(orderId);

    await pauseGeneration(db.pool, 'test: dead key');
    text = await registry.metrics();
    expect(sample(text, 'songswipe_generation_paused')).toBe(1);
    await resumeGeneration(db.pool);
  });

  it('`admin check` exits 0 when healthy and non-zero with one line per planted problem', async () => {
    expect(await adminCheck()).toMatchObject({ code: 0, lines: ['ok'] });

    await pauseGeneration(db.pool, 'test: dead key');
    let result = await adminCheck();
    expect(result.code).toBe(1);
    expect(result.lines).toEqual([expect.stringMatching(/^generation is paused/)]);
    await resumeGeneration(db.pool);

    // A second paid session for a customization that already has a paid order:
    // held for review, with a payment-intake dead letter beside it.
    const user = await createUser(db.pool);
    const customization = await createCustomizationRow(db.pool, user);
    const deps = await webhookDeps(db.pool, db.url);
    await deliver(deps, paidEvent(user, customization));
    expect(await deliver(deps, paidEvent(user, customization))).toMatchObject({ outcome: 'needs_review' });
    result = await adminCheck();
    expect(result.code).toBe(1);
    expect(result.lines).toEqual([expect.stringMatching(/^1 dead letters open \(threshold 0\)/), '1 orders in needs_review']);
    // the same problems, as the web gauges an alert rule reads
    const planted = await createWebMetrics(db.pool).metrics();
    expect(sample(planted, 'songswipe_orders_needs_review')).toBe(1);
    expect(sample(planted, 'songswipe_dead_letters_open')).toBe(1);
    expect(sample(planted, 'songswipe_webhook_events{type="checkout.session.completed",outcome="needs_review"}')).toBe(1);

    await db.pool.query(
      `insert into public.failed_jobs (job_type, order_id, variant_number, event_data, error_message, retry_count, workflow_id, step)
       values ('generate_variant', $1, 1, '{}', 'planted', 3, 'planted-workflow', 'planted-step')`,
      [orderId],
    );
    result = await adminCheck('--max-dead-letters=1');
    expect(result.code).toBe(1);
    expect(result.lines).toContainEqual(expect.stringMatching(/^2 dead letters open \(threshold 1\)/));
    expect((await adminCheck('--max-dead-letters=2')).lines).toEqual(['1 orders in needs_review']);

    // No worker: a paid order stays queued.
    await stopService(worker!, 5000);
    worker = undefined;
    await payForOrder(db, { recipient_name: 'Queued' });
    await new Promise((r) => setTimeout(r, 1200));
    result = await adminCheck('--max-queued-minutes=0.01', '--max-dead-letters=2');
    expect(result.code).toBe(1);
    expect(result.lines).toContainEqual(expect.stringMatching(/^the oldest queued generation waits [\d.]+ min \(threshold 0.01\)/));
    const text = await createWebMetrics(db.pool).metrics();
    expect(sample(text, 'songswipe_queue_workflows{queue="song-generation",state="ENQUEUED"}')).toBe(1);
    expect(sample(text, 'songswipe_queue_oldest_queued_age_seconds')).toBeGreaterThan(1);

    expect((await adminCheck('--max-queued-minutes=abc')).code).toBe(1);
  }, 120_000);
});
