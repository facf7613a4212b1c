import { expect } from 'vitest';
import { getGenerationPause, resumeGeneration } from '../../src/db/generation-control';
import { listVariants } from '../../src/db/song-variants';
import { buildChargeRefundedEvent } from '../../src/payments/dev-events';
import type { WebhookDeps } from '../../src/payments/handle-webhook';
import type { TestDatabase } from './database';
import { callTarget, ELEVENLABS_ERRORS, type startElevenLabsStub, type StubCall, type StubReply } from './elevenlabs-stub';
import { createCustomizationRow, deliver, eventually, paidEvent } from './fixtures';
import { createUser } from './database';

/**
 * The generation scenarios every engine must pass, written once and run by
 * test/integration/engine-scenarios-dbos.test.ts and
 * engine-scenarios-inngest.test.ts through an EngineDriver. A new scenario
 * added here runs on both engines.
 */

export type ElevenLabsStub = Awaited<ReturnType<typeof startElevenLabsStub>>;

/** What one engine provides to run a scenario. */
export interface EngineDriver {
  engine: 'dbos' | 'inngest';
  db: TestDatabase;
  stub: ElevenLabsStub;
  /** The stub's script (scenarioScript) the driver's stub replies with. */
  script: ScenarioScript;
  webhook: WebhookDeps;
  /** Starts generation for a just-paid order (DBOS: its worker dequeues it; Inngest: the run of the event the outbox sent). */
  start(orderId: string): Promise<void>;
  /** Waits until the order's run and its variants ended (cancelled included). */
  settle(orderId: string): Promise<void>;
  /** An admin's manual retry of a failed variant (`retryFailedVariant` through the engine's scheduler), run to its end. */
  retry(orderId: string, variantNumber: number): Promise<void>;
  /** Durable sleeps variant `variantNumber`'s run took. */
  durableWaits(orderId: string, variantNumber: number): Promise<number>;
  /** Whether the engine was asked to cancel the order's runs (DBOS: cancelled workflows; Inngest: a `song/order.refunded` event). */
  cancellationRequested(orderId: string): Promise<boolean>;
}

/**
 * The ElevenLabs stub's script for the scenarios: replies for variant 1 of
 * each recipient, in order, then `ok`; a 401 kills the key (every later call
 * is refused) until `revive()`, as a real key out of quota does.
 */
export function scenarioScript() {
  const scripts = new Map<string, StubReply[]>();
  /** Whose call each one was: a healed call carries the provider's suggested prompt, not the recipient's. */
  const owners = new Map<StubCall, { recipient: string; variant: number }>();
  let suggestionOwner: string | undefined;
  let keyDead = false;
  return {
    set: (recipient: string, replies: StubReply[]) => scripts.set(recipient, replies),
    revive: () => {
      keyDead = false;
    },
    /** The recipient and variant a call was for (the suggestion's call: the order that got the suggestion). */
    targetOf: (call: StubCall) => owners.get(call) ?? callTarget(call),
    reply(call: StubCall): StubReply {
      let target = callTarget(call);
      if (!target.recipient && suggestionOwner && call.prompt.includes(SUGGESTED_PROMPT)) target = { recipient: suggestionOwner, variant: 1 };
      owners.set(call, target);
      if (keyDead) return ELEVENLABS_ERRORS.quotaExceeded();
      const reply = (target.variant === 1 && scripts.get(target.recipient)?.shift()) || { kind: 'ok' };
      if (reply.kind === 'status' && reply.status === 401) keyDead = true;
      if (reply.kind === 'status' && reply.status === 400) suggestionOwner = target.recipient;
      return reply;
    },
  };
}

/** The prompt ElevenLabs suggests in `ELEVENLABS_ERRORS.badPrompt()`. */
const SUGGESTED_PROMPT = 'An upbeat indie pop song about learning to surf';
export type ScenarioScript = ReturnType<typeof scenarioScript>;

/**
 * The admin's move while generation is paused (a dead key): top the account up
 * and resume. Engines call it while they wait (DBOS: polling; Inngest: during
 * each durable sleep, as time passes there).
 * @returns whether it resumed.
 */
export async function adminResumesIfPaused(db: TestDatabase, script: ScenarioScript): Promise<boolean> {
  if (!(await getGenerationPause(db.pool)).paused) return false;
  script.revive();
  return resumeGeneration(db.pool);
}

export interface ScenarioRun {
  orderId: string;
  recipient: string;
  event: ReturnType<typeof paidEvent>;
  /** The provider calls made for this order, in order. */
  calls(): StubCall[];
}

let recipients = 0;

/** Pays an order through payment intake (the driver's scheduler) and starts its generation. */
export async function payScenarioOrder(driver: EngineDriver, replies: StubReply[]): Promise<ScenarioRun> {
  const recipient = `${driver.engine}Scenario${++recipients}`;
  driver.script.set(recipient, replies);
  const userId = await createUser(driver.db.pool);
  const event = paidEvent(userId, await createCustomizationRow(driver.db.pool, userId, { recipient_name: recipient }));
  await deliver(driver.webhook, event);
  const { rows } = await driver.db.pool.query<{ id: string }>('select id from public.orders where stripe_session_id = $1', [event.data.object.id]);
  const orderId = rows[0]!.id;
  await driver.start(orderId);
  return { orderId, recipient, event, calls: () => driver.stub.calls.filter((c) => driver.script.targetOf(c).recipient === recipient) };
}

const statuses = async (driver: EngineDriver, orderId: string) => (await listVariants(driver.db.pool, orderId)).map((v) => v.status);

export interface Scenario {
  name: string;
  /** Replies to variant 1's provider calls, in order (then `ok`). */
  variant1: StubReply[];
  run(driver: EngineDriver, order: ScenarioRun): Promise<void>;
}

export const SCENARIOS: Scenario[] = [
  {
    name: 'success: 3 variants complete, one provider call each',
    variant1: [],
    async run(driver, order) {
      await driver.settle(order.orderId);
      expect(await statuses(driver, order.orderId)).toEqual(['complete', 'complete', 'complete']);
      expect(order.calls()).toHaveLength(3);
    },
  },
  {
    name: '429 with Retry-After: durable waits, then complete; 429s do not use up the failure budget',
    variant1: [ELEVENLABS_ERRORS.concurrentLimit(1), ELEVENLABS_ERRORS.rateLimit(), ELEVENLABS_ERRORS.rateLimit(), ELEVENLABS_ERRORS.rateLimit()],
    async run(driver, order) {
      await driver.settle(order.orderId);
      expect(await statuses(driver, order.orderId)).toEqual(['complete', 'complete', 'complete']);
      expect(order.calls()).toHaveLength(7); // 4 refusals (more than maxAttempts) + 3 songs
      expect(await driver.durableWaits(order.orderId, 1)).toBeGreaterThanOrEqual(4);
    },
  },
  {
    name: '503 then success: backs off and completes on the second attempt',
    variant1: [ELEVENLABS_ERRORS.serverError(503)],
    async run(driver, order) {
      await driver.settle(order.orderId);
      expect((await listVariants(driver.db.pool, order.orderId)).map((v) => [v.status, v.attempts])).toEqual([
        ['complete', 2],
        ['complete', 1],
        ['complete', 1],
      ]);
      expect(await driver.durableWaits(order.orderId, 1)).toBe(1);
    },
  },
  {
    // The first rejection is healed at once with the provider's suggestion (issue 14); the suggestion rejected too is final.
    name: '400 bad_prompt twice: healed once with the suggestion, then dead-lettered with it, no backoff retry; the siblings complete',
    variant1: [ELEVENLABS_ERRORS.badPrompt(), ELEVENLABS_ERRORS.badPrompt()],
    async run(driver, order) {
      await driver.settle(order.orderId);
      expect(await statuses(driver, order.orderId)).toEqual(['failed', 'complete', 'complete']);
      expect(order.calls()).toHaveLength(4);
      const { rows } = await driver.db.pool.query('select job_type, retry_count, provider_detail from public.failed_jobs where order_id = $1', [order.orderId]);
      expect(rows).toEqual([
        {
          job_type: 'generate_variant',
          retry_count: 2,
          provider_detail: expect.objectContaining({
            providerStatus: 400,
            status: 'bad_prompt',
            promptSuggestion: 'An upbeat indie pop song about learning to surf',
          }),
        },
      ]);
    },
  },
  {
    name: '401 quota_exceeded: the variant fails, ALL generation pauses; after the admin resumes, the rest complete',
    variant1: [ELEVENLABS_ERRORS.quotaExceeded()],
    async run(driver, order) {
      await driver.settle(order.orderId);
      const { rows } = await driver.db.pool.query('select paused_at, paused_reason from public.generation_control');
      expect(rows[0]).toMatchObject({ paused_at: expect.any(Date), paused_reason: expect.stringContaining('quota_exceeded') });
      // Variant 1 met the dead key; a sibling whose call was already under way is refused too,
      // one waiting for a slot waits out the pause (until the admin resumes) and then completes.
      const refused = order.calls().filter((c) => c.status === 401);
      const refusedVariants = new Set(refused.map((c) => driver.script.targetOf(c).variant));
      expect(refusedVariants.has(1)).toBe(true);
      expect(refusedVariants.size).toBe(refused.length); // an account error is never retried
      expect(order.calls()).toHaveLength(refused.length + (3 - refusedVariants.size)); // no call while paused
      expect(await statuses(driver, order.orderId)).toEqual([1, 2, 3].map((v) => (refusedVariants.has(v) ? 'failed' : 'complete')));
      await adminResumesIfPaused(driver.db, driver.script); // the next scenario starts unpaused
    },
  },
  {
    name: 'a refund during generation cancels: no provider call starts after it, nothing unfinished completes, share links dead',
    variant1: [{ kind: 'ok', latencyMs: 1500 }],
    async run(driver, order) {
      await eventually(async () => order.calls().some((c) => driver.script.targetOf(c).variant === 1), 30_000, 'variant 1 in flight');
      const before = order.calls().length;
      expect(await deliver(driver.webhook, buildChargeRefundedEvent(order.event))).toMatchObject({ outcome: 'refunded' });
      const callsAtRefund = order.calls().length;
      await driver.settle(order.orderId);
      expect(order.calls().length).toBe(callsAtRefund);
      expect(callsAtRefund).toBeGreaterThanOrEqual(before);
      expect(await driver.cancellationRequested(order.orderId)).toBe(true);
      const variants = await listVariants(driver.db.pool, order.orderId);
      // Variant 1's call returned after the refund: its audio is not delivered.
      expect(variants[0]).toMatchObject({ status: 'failed', lastError: 'order refunded before this variant was generated' });
      for (const v of variants) {
        const { rows } = await driver.db.pool.query('select * from public.get_shared_song($1)', [v.shareToken]);
        expect(rows).toEqual([]);
      }
    },
  },
  {
    name: 'a manual retry regenerates the dead-lettered variant and keeps its share token',
    variant1: [ELEVENLABS_ERRORS.badPrompt(), ELEVENLABS_ERRORS.badPrompt()],
    async run(driver, order) {
      await driver.settle(order.orderId);
      const before = await listVariants(driver.db.pool, order.orderId);
      expect(before.map((v) => v.status)).toEqual(['failed', 'complete', 'complete']);
      await driver.retry(order.orderId, 1);
      const after = await listVariants(driver.db.pool, order.orderId);
      expect(after.map((v) => v.status)).toEqual(['complete', 'complete', 'complete']);
      expect(after.map((v) => v.shareToken)).toEqual(before.map((v) => v.shareToken));
      expect(order.calls()).toHaveLength(5);
      const { rows } = await driver.db.pool.query('select count(*)::int as open from public.failed_jobs where order_id = $1 and resolved_at is null', [
        order.orderId,
      ]);
      expect(rows[0].open).toBe(0);
    },
  },
];
