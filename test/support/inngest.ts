import { InngestTestEngine } from '@inngest/test';
import { Inngest } from 'inngest';
import { createGenerationFunctions } from '../../src/generation/engines/inngest/functions';
import { INNGEST_APP_ID } from '../../src/generation/engines/inngest/events';
import type { GenerationDeps } from '../../src/generation/generate-song';
import { VARIANTS_PER_ORDER } from '../../src/generation/workflow-names';

/** Waits between attempts a test run may take per variant (`<label>#<k>-wait`, k = 1 … this). */
const MAX_WAITS = 40;

/** A step memoized as already done, as Inngest replays it after a crash (`steps` of @inngest/test). */
export interface MemoizedStep {
  id: string;
  handler: () => unknown;
}

/**
 * The generation functions on an Inngest client in dev mode (no server: the
 * functions are only executed in-process by @inngest/test).
 */
export function testInngestFunctions(deps: GenerationDeps, concurrency = 2) {
  const inngest = new Inngest({ id: INNGEST_APP_ID, isDev: true });
  return createGenerationFunctions(inngest, deps, { concurrency });
}

/**
 * Every durable sleep a run may reach, as @inngest/test needs them listed (1.0
 * otherwise never returns from `execute()` once a run sleeps): resolved at once,
 * while the run's `ctx.step.sleep` mock still records what was asked for.
 */
function sleeps(label: string, onSleep?: () => Promise<unknown>): MemoizedStep[] {
  return Array.from({ length: MAX_WAITS }, (_, i) => ({
    id: `${label}#${i + 1}-wait`,
    handler: async () => {
      await onSleep?.();
      return null;
    },
  }));
}

/** What may happen while a run sleeps (time passes: e.g. an admin resumes generation). */
export type OnSleep = () => Promise<unknown>;

export interface VariantRun {
  variantNumber: number;
  result: unknown;
  error: unknown;
  /** `[stepId, ms]` of every `step.sleep` the run asked for. */
  sleeps: [string, number][];
  /** Step ids of the run's `step.run` calls that ran or were replayed. */
  steps: string[];
  /** Its finished steps, to replay the run as after a crash. */
  memo: MemoizedStep[];
}

function sleepCalls(ctx: { step: { sleep: { mock: { calls: unknown[][] } } } }): [string, number][] {
  return ctx.step.sleep.mock.calls.map((c) => [String(c[0]), Number(c[1])]);
}
/** The `step.run` steps that finished in a run, as memoized steps (what Inngest would replay after a crash). */
async function memoOf(ctx: { step: { run: { mock: { calls: unknown[][]; results: { type: string; value: unknown }[] } } } }): Promise<MemoizedStep[]> {
  const { calls, results } = ctx.step.run.mock;
  const memo: MemoizedStep[] = [];
  for (const [i, call] of calls.entries()) {
    try {
      const value = await results[i]?.value;
      memo.push({ id: String(call[0]), handler: () => value });
    } catch {
      // a step that failed or never finished is not memoized
    }
  }
  return memo;
}
function runCalls(ctx: { step: { run: { mock: { calls: unknown[][] } } } }): string[] {
  return ctx.step.run.mock.calls.map((c) => String(c[0]));
}

/**
 * Runs `generate-song` for an order with @inngest/test, as Inngest would after
 * `song/order.paid`: each `step.invoke` of `generate-variant` (`variants-<n>`)
 * runs that function in its own @inngest/test engine with the invoke's data;
 * its result (or error) is the invoke's. This is @inngest/test's own step
 * mocking, not an executor: every step body is run by the SDK.
 * @param memoized steps already done before a "crash" (their handlers give the
 *   recorded result), for the parent; `childMemoized` per variant.
 */
export async function runGenerateSong(
  fns: ReturnType<typeof testInngestFunctions>,
  event: { id?: string; name: string; data: Record<string, unknown> },
  options: {
    memoized?: MemoizedStep[];
    childMemoized?: Record<number, MemoizedStep[]>;
    onSleep?: OnSleep;
    /** Replaces the invoke of a variant (e.g. a crash before it started). */
    invokes?: Record<number, () => Promise<unknown>>;
  } = {},
) {
  const orderId = String(event.data.orderId);
  const variants: VariantRun[] = [];
  const invokes: MemoizedStep[] = Array.from({ length: VARIANTS_PER_ORDER }, (_, i) => ({
    id: `variants-${i + 1}`,
    handler: async () => {
      const replaced = options.invokes?.[i + 1];
      if (replaced) return replaced();
      const run = await runGenerateVariant(fns, { orderId, variantNumber: i + 1, urgencySeconds: 0 }, options.childMemoized?.[i + 1] ?? [], options.onSleep);
      variants.push(run);
      if (run.error) throw run.error;
      return run.result;
    },
  }));
  const t = new InngestTestEngine({ function: fns.generateSongFn });
  const memoizedIds = new Set((options.memoized ?? []).map((s) => s.id));
  const { result, error, ctx } = await t.execute({
    events: [event as never],
    steps: [...(options.memoized ?? []), ...invokes.filter((s) => !memoizedIds.has(s.id))],
  });
  return {
    result,
    error,
    ctx,
    steps: runCalls(ctx as never),
    memo: await memoOf(ctx as never),
    variants: variants.sort((a, b) => a.variantNumber - b.variantNumber),
  };
}

/** Runs `generate-variant` for one variant, as `step.invoke` would. */
export async function runGenerateVariant(
  fns: ReturnType<typeof testInngestFunctions>,
  data: { orderId: string; variantNumber: number; urgencySeconds: number },
  memoized: MemoizedStep[] = [],
  onSleep?: OnSleep,
): Promise<VariantRun> {
  const t = new InngestTestEngine({ function: fns.generateVariantFn });
  const { result, error, ctx } = await t.execute({
    events: [{ name: 'inngest/function.invoked', data }],
    steps: [...memoized, ...sleeps(`variant-${data.variantNumber}`, onSleep)],
  });
  return {
    variantNumber: data.variantNumber,
    result,
    error,
    sleeps: sleepCalls(ctx as never),
    steps: runCalls(ctx as never),
    memo: await memoOf(ctx as never),
  };
}

/** Runs `retry-variant` for a manual retry event (`song/variant.retry-requested`). */
export async function runRetryVariant(fns: ReturnType<typeof testInngestFunctions>, data: Record<string, unknown>, onSleep?: OnSleep) {
  const t = new InngestTestEngine({ function: fns.retryVariantFn });
  const { result, error, ctx } = await t.execute({
    events: [{ name: 'song/variant.retry-requested', data }],
    steps: sleeps(`retry-variant-${data.variantNumber}`, onSleep),
  });
  return { result, error, sleeps: sleepCalls(ctx as never), steps: runCalls(ctx as never) };
}
