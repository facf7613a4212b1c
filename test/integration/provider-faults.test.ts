import { DBOS } from '@dbos-inc/dbos-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getGenerationPause, resumeGeneration } from '../../src/db/generation-control';
import { listVariants } from '../../src/db/song-variants';
import { createElevenLabsProvider } from '../../src/generation/providers/elevenlabs-provider';
import { launchInProcessWorker, testGenerationDeps } from '../support/worker';
import { createTestDatabase, createUser, type TestDatabase } from '../support/database';
import { callTarget, ELEVENLABS_ERRORS, startElevenLabsStub, type StubReply } from '../support/elevenlabs-stub';
import { createCustomizationRow, deliver, eventually, paidEvent, webhookDeps } from '../support/fixtures';

/** Provider slots (the provider queue's concurrency): an order's variants run up to this many at once. */
const SLOTS = 2;
let db: TestDatabase;
let stub: Awaited<ReturnType<typeof startElevenLabsStub>>;
/**
 * Replies for variant 1 of each recipient, consumed in order; then 'ok'. Per
 * variant, not per call: an order's variants run in parallel, so which of them
 * calls first is not fixed.
 */
const scripts = new Map<string, StubReply[]>();
/** Set by a 401: like a real key out of quota, every call is refused until the test tops it up. */
let keyDead = false;

beforeAll(async () => {
  db = await createTestDatabase();
  stub = await startElevenLabsStub({
    script: (call) => {
      if (keyDead) return ELEVENLABS_ERRORS.quotaExceeded();
      const { recipient, variant } = callTarget(call);
      const reply = (variant === 1 && scripts.get(recipient)?.shift()) || { kind: 'ok' };
      if (reply.kind === 'status' && reply.status === 401) keyDead = true;
      return reply;
    },
  });
  const provider = createElevenLabsProvider({ apiKey: 'xi-test', baseUrl: stub.url, attemptTimeoutMs: 500 });
  const deps = testGenerationDeps(db.pool, provider, {
    retry: { maxAttempts: 3, backoff: { baseMs: 50, capMs: 200 }, maxRateLimitWaits: 8, pausePollMs: 200 },
  });
  await launchInProcessWorker(db.url, deps, 'faults-test', SLOTS);
});

afterAll(async () => {
  await DBOS.shutdown();
  await stub.close();
});

let n = 0;
/** Pays an order whose variant 1 gets `replies` from the provider; its siblings get 'ok'. */
async function order(replies: StubReply[] = []): Promise<{ orderId: string; recipient: string }> {
  const recipient = `Faulty${++n}`;
  scripts.set(recipient, replies);
  const user = await createUser(db.pool);
  const event = paidEvent(user, await createCustomizationRow(db.pool, user, { recipient_name: recipient }));
  await deliver(await webhookDeps(db.pool, db.url), event);
  const { rows } = await db.pool.query<{ id: string }>('select id from public.orders where stripe_session_id = $1', [event.data.object.id]);
  return { orderId: rows[0]!.id, recipient };
}

const callsFor = (recipient: string) => stub.calls.filter((c) => c.prompt.includes(`written for ${recipient};`));
/** The order's provider-call ledger per variant, each in call order: `{ 1: ['unknown', 'success'], ... }`. */
async function ledger(orderId: string): Promise<Record<number, string[]>> {
  const { rows } = await db.pool.query<{ variant_number: number; outcome: string }>(
    'select variant_number, outcome from public.provider_calls where order_id = $1 order by id',
    [orderId],
  );
  const byVariant: Record<number, string[]> = {};
  for (const r of rows) byVariant[r.variant_number] = [...(byVariant[r.variant_number] ?? []), r.outcome];
  return byVariant;
}

describe('generation under provider faults (ElevenLabs stub, DBOS worker)', () => {
  it('429 with Retry-After: waits as told (durably), then completes; 429s do not use up the failure budget', async () => {
    const { orderId, recipient } = await order([
      ELEVENLABS_ERRORS.concurrentLimit(1),
      ELEVENLABS_ERRORS.rateLimit(),
      ELEVENLABS_ERRORS.rateLimit(),
      ELEVENLABS_ERRORS.rateLimit(),
    ]);
    const started = Date.now();
    await DBOS.retrieveWorkflow(`order:${orderId}`).getResult();
    expect((await listVariants(db.pool, orderId)).map((v) => v.status)).toEqual(['complete', 'complete', 'complete']);
    expect(callsFor(recipient)).toHaveLength(7); // 4 refusals + 3 songs, more 429s than maxAttempts
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000); // the Retry-After: 1 was honoured
    // The waits run in variant 1's own workflow (order:<id>:variant:1), a child of the order's.
    const { rows } = await db.pool.query(
      `select count(*)::int as n from dbos.operation_outputs where (workflow_uuid = $1 or workflow_uuid like $1 || ':variant:%') and function_name = 'DBOS.sleep'`,
      [`order:${orderId}`],
    );
    expect(rows[0].n).toBeGreaterThanOrEqual(4); // each wait is a checkpointed durable sleep
  });

  it('400 bad_prompt without a suggestion: no retry, the variant fails with the message kept for the admin', async () => {
    const { orderId, recipient } = await order([ELEVENLABS_ERRORS.badPrompt(null)]);
    await DBOS.retrieveWorkflow(`order:${orderId}`).getResult();
    expect((await listVariants(db.pool, orderId)).map((v) => v.status)).toEqual(['failed', 'complete', 'complete']);
    expect(callsFor(recipient)).toHaveLength(3);
    const { rows } = await db.pool.query('select error_message, retry_count, provider_detail from public.failed_jobs where order_id = $1', [orderId]);
    expect(rows).toEqual([
      {
        error_message: 'ElevenLabs 400 bad_prompt: The prompt references a copyrighted artist.',
        retry_count: 1,
        provider_detail: { providerStatus: 400, status: 'bad_prompt', message: 'The prompt references a copyrighted artist.' },
      },
    ]);
  });

  it('400 bad_prompt with a suggestion: retried once, at once, with the suggestion (test/integration/prompt-healing.test.ts has the rest)', async () => {
    const { orderId, recipient } = await order([ELEVENLABS_ERRORS.badPrompt()]);
    await DBOS.retrieveWorkflow(`order:${orderId}`).getResult();
    expect((await listVariants(db.pool, orderId)).map((v) => v.status)).toEqual(['complete', 'complete', 'complete']);
    expect(callsFor(recipient)).toHaveLength(3); // the suggestion names no recipient: it is the fourth call
    expect(stub.calls.filter((c) => c.prompt === 'An upbeat indie pop song about learning to surf').length).toBeGreaterThanOrEqual(1);
    expect(await ledger(orderId)).toEqual({ 1: ['error', 'success'], 2: ['success'], 3: ['success'] });
    const { rows } = await db.pool.query('select count(*)::int as n from public.failed_jobs where order_id = $1', [orderId]);
    expect(rows[0].n).toBe(0);
  });

  it('a timeout after sending is recorded as an unknown (paid) outcome and retried', async () => {
    const { orderId } = await order([{ kind: 'hang', ms: 2000 }]);
    await DBOS.retrieveWorkflow(`order:${orderId}`).getResult();
    expect(await ledger(orderId)).toEqual({ 1: ['unknown', 'success'], 2: ['success'], 3: ['success'] });
  });

  it('401 quota_exceeded: the variants it hit fail and ALL generation pauses; nothing is called until an admin resumes', async () => {
    try {
      const first = await order([ELEVENLABS_ERRORS.quotaExceeded()]);
      await eventually(async () => (await getGenerationPause(db.pool)).paused, 20_000, 'generation to pause');
      const second = await order();
      await new Promise((r) => setTimeout(r, 1500));
      expect(callsFor(second.recipient)).toHaveLength(0); // queued orders wait; no credits burnt
      // Variant 1 met the dead key. Its siblings run in parallel: one may have
      // been served before (a success), and one whose call was already under way
      // is refused too. So at most one refusal per slot, each variant refused
      // once (an account error is not retried), and no call after the pause (the
      // key stays dead, so any later call would be one more refusal).
      const refused = callsFor(first.recipient).filter((c) => c.status === 401);
      const refusedVariants = new Set(refused.map((c) => callTarget(c).variant));
      expect(refusedVariants.has(1)).toBe(true);
      expect(refused.length).toBeLessThanOrEqual(SLOTS);
      expect(refusedVariants.size).toBe(refused.length);
      const { rows } = await db.pool.query('select status from dbos.workflow_status where workflow_uuid = $1', [`order:${first.orderId}`]);
      expect(rows[0].status).toBe('PENDING');

      keyDead = false; // the admin topped up the account
      expect(await resumeGeneration(db.pool)).toBe(true);
      await DBOS.retrieveWorkflow(`order:${second.orderId}`).getResult();
      await DBOS.retrieveWorkflow(`order:${first.orderId}`).getResult();
      const fate = (v: number) => (refusedVariants.has(v) ? 'failed' : 'complete');
      expect((await listVariants(db.pool, first.orderId)).map((v) => v.status)).toEqual([1, 2, 3].map(fate));
      expect((await listVariants(db.pool, second.orderId)).map((v) => v.status)).toEqual(['complete', 'complete', 'complete']);
      expect(await ledger(first.orderId)).toEqual(Object.fromEntries([1, 2, 3].map((v) => [v, [refusedVariants.has(v) ? 'error' : 'success']])));
    } finally {
      // A failure here must not leave the key dead and generation paused for the next test.
      keyDead = false;
      await resumeGeneration(db.pool);
    }
  });

  it('5xx then success: backs off and completes within the attempt budget; beyond it, dead-letters', async () => {
    const ok = await order([ELEVENLABS_ERRORS.serverError(503), ELEVENLABS_ERRORS.serverError(500)]);
    const dead = await order([ELEVENLABS_ERRORS.serverError(500), ELEVENLABS_ERRORS.serverError(502), ELEVENLABS_ERRORS.serverError(503)]);
    await DBOS.retrieveWorkflow(`order:${ok.orderId}`).getResult();
    await DBOS.retrieveWorkflow(`order:${dead.orderId}`).getResult();
    expect((await listVariants(db.pool, ok.orderId)).map((v) => [v.status, v.attempts])).toEqual([
      ['complete', 3],
      ['complete', 1],
      ['complete', 1],
    ]);
    expect((await listVariants(db.pool, dead.orderId)).map((v) => [v.status, v.attempts])).toEqual([
      ['failed', 3],
      ['complete', 1],
      ['complete', 1],
    ]);
  });
});
