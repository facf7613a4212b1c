import { insertFailedJob } from '../db/failed-jobs';
import { getOrderForGeneration, isFulfillable } from '../db/orders';
import { withTransaction } from '../db/pool';
import { insertPromptRevision } from '../db/prompt-revisions';
import { createPendingVariants, getVariant, markVariantFailed } from '../db/song-variants';
import type { Drain } from './drain';
import { type BackoffPolicy, fullJitterDelayMs } from './backoff';
import type { DurableContext, StepRetryPolicy, VariantOutcome } from './durable-context';
import { orderPriority } from './priority';
import { MAX_PROMPT_CHARS, promptSha256 } from './prompt';
import { type AttemptDeps, type AttemptResult, attemptVariant } from './variant-attempt';
import { generateSongWorkflowId, generateVariantWorkflowId, VARIANTS_PER_ORDER } from './workflow-names';

/** How hard to try one variant. */
export interface VariantRetryPolicy {
  /** Attempts that fail with a retryable error (5xx, timeout, reset) before dead-lettering. */
  maxAttempts: number;
  backoff: BackoffPolicy;
  /**
   * 429 waits allowed before dead-lettering. A 429 is the provider saying
   * "not now", not "failed", so it has its own, larger budget.
   */
  maxRateLimitWaits: number;
  /** While generation is paused, how often to look again (ms). Does not use attempts. */
  pausePollMs: number;
}

/**
 * The configured policy (from env: GENERATION_MAX_ATTEMPTS, GENERATION_RETRY_*,
 * GENERATION_PAUSE_POLL_MS, SONG_LENGTH_MS). A workflow reads it only through
 * `pinGenerationPolicy`, never directly.
 */
export interface GenerationDeps extends AttemptDeps {
  retry: VariantRetryPolicy;
  /** The worker's drain (./drain.ts): parks workflows before a new provider attempt once SIGTERM arrived. */
  drain?: Drain;
}

/** What a workflow checkpoints at its start and keeps for its whole life. */
export type GenerationPolicy = Pick<GenerationDeps, 'retry' | 'lengthMs'>;

export interface GenerateSongResult {
  orderId: string;
  skipped?: string;
  variants: Record<number, VariantOutcome>;
}

/**
 * Our own bookkeeping steps (database writes) ride out a database outage of
 * several minutes (0.5 s doubling, capped by DBOS, 20 tries) instead of ending
 * the workflow in ERROR.
 */
export const BOOKKEEPING: StepRetryPolicy = { maxAttempts: 20, intervalMs: 500, backoffRate: 2 };

/**
 * Checkpoints the configured policy as the workflow's first step and returns
 * deps that use it. The policy steers which steps run (how many attempts, how
 * long each wait), so a workflow replayed after a restart with other env values
 * must see the values it started with; otherwise DBOS finds a step recorded
 * where another was expected and the workflow ends in ERROR (issue 16).
 */
export async function pinGenerationPolicy(ctx: DurableContext, deps: GenerationDeps): Promise<GenerationDeps> {
  const policy = await ctx.step('generation-policy', async (): Promise<GenerationPolicy> => ({ retry: deps.retry, lengthMs: deps.lengthMs }));
  return { ...deps, ...policy };
}

/** Our own database or storage failing inside an attempt: retries allowed per variant. */
const INTERNAL_FAILURE_BUDGET = 20;

type Failure = Extract<AttemptResult, { ok: false }>;

/**
 * Dead-letters a variant whose attempts are exhausted (or that failed for
 * good): marks it `failed` and writes a `failed_jobs` row (ids only: no story,
 * no share token; the provider's detail, e.g. a `prompt_suggestion`, for the
 * admin) in one transaction.
 *
 * Idempotent per step, not per variant: the row is keyed on `owner` (this
 * workflow and step), so a re-run of this step after a crash writes nothing,
 * while a new failure of the same variant (a manual retry's) is a new row.
 * @returns false when there was nothing to dead-letter (the variant is complete).
 */
async function deadLetterVariant(
  deps: GenerationDeps,
  owner: { workflowId: string; step: string },
  orderId: string,
  variantNumber: number,
  failure: Failure,
): Promise<boolean> {
  const written = await withTransaction(deps.db, async (tx) => {
    const variant = await getVariant(tx, { orderId, variantNumber });
    if (!variant || variant.status === 'complete') return false;
    const order = await getOrderForGeneration(tx, orderId);
    const id = await insertFailedJob(tx, {
      owner,
      jobType: 'generate_variant',
      orderId,
      variantNumber,
      eventData: { orderId, variantNumber, customizationId: order?.customizationId ?? null, failure: failure.kind },
      errorMessage: failure.message,
      errorStack: failure.stack,
      retryCount: variant.attempts,
      providerDetail: failure.providerStatus || failure.detail ? { providerStatus: failure.providerStatus ?? null, ...failure.detail } : null,
    });
    // No id: this very step wrote its row (and failed the variant) before a crash.
    if (id) await markVariantFailed(tx, { orderId, variantNumber, error: failure.message });
    return true;
  });
  if (written) {
    deps.log.error({ orderId, variantNumber, kind: failure.kind, error: failure.message }, 'variant failed for good; dead-lettered for manual retry');
  }
  return written;
}

/**
 * Makes the provider's suggested prompt (or composition plan) the variant's
 * prompt for its next attempt: a `prompt_revisions` row (source
 * `provider_suggestion`, the failed prompt's and the suggestion's sha256, by
 * this workflow) and the variant's
 * `prompt_source`, in one statement, keyed on `owner` (this workflow and step):
 * a re-run after a crash writes nothing and still answers yes. The prompt text
 * is never logged.
 * @returns false when there is no suggestion to use.
 */
async function healPrompt(
  deps: GenerationDeps,
  owner: { workflowId: string; step: string },
  orderId: string,
  variantNumber: number,
  failure: Failure,
): Promise<boolean> {
  const suggestion = failure.detail?.promptSuggestion?.trim().slice(0, MAX_PROMPT_CHARS);
  const plan = suggestion ? undefined : failure.detail?.compositionPlanSuggestion;
  if ((!suggestion && !plan) || !failure.prompt) return false;
  await insertPromptRevision(deps.db, {
    orderId,
    variantNumber,
    source: 'provider_suggestion',
    prompt: suggestion ?? null,
    compositionPlan: plan ?? null,
    previousPromptSha256: failure.prompt.sha256,
    promptSha256: promptSha256(suggestion ?? JSON.stringify(plan)),
    createdBy: `workflow:${owner.workflowId}`,
    owner,
  });
  return true;
}

/**
 * True for a rejected prompt that came with ElevenLabs' suggested rewrite: 400
 * `bad_prompt` with `prompt_suggestion`, or `bad_composition_plan` with
 * `composition_plan_suggestion` (ElevenLabs makes a plan from every prompt, so
 * either can come back; https://elevenlabs.io/docs/cookbooks/music/quickstart).
 */
function hasPromptSuggestion(result: Failure): boolean {
  return result.kind === 'permanent' && !!(result.detail?.promptSuggestion?.trim() || result.detail?.compositionPlanSuggestion) && !!result.prompt;
}

/**
 * Generates one variant until it is complete or its budget is spent, with
 * durable waits between attempts (a crash mid-wait resumes the wait):
 * - retryable (5xx, timeout, reset): full-jitter exponential backoff, up to
 *   `maxAttempts`;
 * - internal (our own storage or database): the same backoff, with its own
 *   larger budget, so an outage does not dead-letter healthy variants;
 * - rate-limited (429): waits `Retry-After` when given, else backs off; its own
 *   budget of `maxRateLimitWaits`;
 * - paused (dead key): polls every `pausePollMs`, spending no attempt;
 * - a rejected prompt with a suggestion (400 `bad_prompt` + `prompt_suggestion`,
 *   or `bad_composition_plan` + `composition_plan_suggestion`): once per run, the suggestion becomes the variant's prompt (`healPrompt`,
 *   step `variant-<n>#<k>-heal`) and the next attempt starts at once, as
 *   ElevenLabs advises (https://elevenlabs.io/docs/cookbooks/music/quickstart,
 *   "Prompts with copyrighted material"); a second rejection dead-letters;
 * - permanent (400/422, `bad_prompt` without a suggestion) and account
 *   (401/403/quota): no retry.
 * - draining (`deps.drain`, SIGTERM): no new attempt starts; the workflow
 *   parks and the next worker with this executor id recovers it.
 * Each attempt is a separate step (`variant-<n>#<k>`), so a finished attempt is
 * never run again after a crash.
 * @param deps with the workflow's pinned policy (`pinGenerationPolicy`).
 * @param label step-name prefix, distinct per workflow kind.
 */
export async function runVariant(
  ctx: DurableContext,
  deps: GenerationDeps,
  orderId: string,
  variantNumber: number,
  label = `variant-${variantNumber}`,
): Promise<VariantOutcome> {
  const policy = deps.retry;
  let failures = 0;
  let rateLimits = 0;
  let internal = 0;
  let healed = false;
  for (let k = 1; ; k++) {
    // Draining (SIGTERM): park before a new paid call rather than start one the shutdown would abandon.
    // Not a branch of the replay: parking records nothing, and the next process runs the same step.
    const attempt = () => ctx.step(`${label}#${k}`, () => attemptVariant(deps, orderId, variantNumber));
    const result = await (deps.drain ? deps.drain.attempt(attempt) : attempt());
    if (result.ok) return result.outcome;
    // behind a patch: a run recorded before healing shipped dead-letters here as it did then
    if (!healed && hasPromptSuggestion(result) && (await ctx.patched('prompt-healing'))) {
      healed = true; // once per run: a suggestion that is rejected too dead-letters below
      const owner = { workflowId: ctx.workflowId(), step: `${label}#${k}-heal` };
      if (await ctx.step(owner.step, () => healPrompt(deps, owner, orderId, variantNumber, result), BOOKKEEPING)) {
        deps.log.info({ orderId, variantNumber, attempt: k }, 'prompt rejected by the provider; retrying at once with its suggested prompt');
        continue;
      }
    }
    let waitMs: number | undefined;
    if (result.kind === 'paused') {
      waitMs = policy.pausePollMs;
    } else if (result.kind === 'rate_limited' && ++rateLimits <= policy.maxRateLimitWaits) {
      const jitter = await ctx.step(`${label}#${k}-jitter`, async () => Math.random());
      waitMs = result.retryAfterMs ?? fullJitterDelayMs(policy.backoff, rateLimits, jitter);
    } else if (result.kind === 'internal' && ++internal < INTERNAL_FAILURE_BUDGET) {
      const jitter = await ctx.step(`${label}#${k}-jitter`, async () => Math.random());
      waitMs = fullJitterDelayMs(policy.backoff, Math.min(internal, 6), jitter);
    } else if (result.kind === 'retryable' && ++failures < policy.maxAttempts) {
      const jitter = await ctx.step(`${label}#${k}-jitter`, async () => Math.random());
      waitMs = fullJitterDelayMs(policy.backoff, failures, jitter);
    }
    if (waitMs === undefined) {
      const owner = { workflowId: ctx.workflowId(), step: `${label}-dead-letter` };
      const written = await ctx.step(owner.step, () => deadLetterVariant(deps, owner, orderId, variantNumber, result), BOOKKEEPING);
      return written ? 'failed' : 'complete';
    }
    deps.log.info({ orderId, variantNumber, kind: result.kind, waitMs, attempt: k }, 'waiting before the next attempt');
    // At least 1 ms: DBOS checkpoints no sleep of 0 ms (a full-jitter draw can round to 0),
    // and every wait between attempts is meant to be a recorded durable sleep.
    await ctx.sleep(`${label}#${k}-wait`, Math.max(1, waitMs));
  }
}

/**
 * The generate-song workflow body: from a paid order to three stored variants.
 * Engine-neutral: all durability comes from `ctx`.
 *
 * Steps: `generation-policy`, `load-order`, `create-variants`, then one child
 * workflow per variant on the provider queue (`ctx.runOnProviderQueue`),
 * awaited together. Variants are the unit of scheduling: an order uses as many
 * provider slots as are free (up to three), the queue's global concurrency caps
 * calls across all workers, and its priority serves the earliest occasion
 * first. A failing variant never redoes or blocks a sibling: each child has its
 * own steps, retries and pinned policy.
 */
export async function generateSong(ctx: DurableContext, deps: GenerationDeps, orderId: string): Promise<GenerateSongResult> {
  const log = deps.log.child({ workflowId: generateSongWorkflowId(orderId) });
  await pinGenerationPolicy(ctx, { ...deps, log });
  const order = await ctx.step(
    'load-order',
    async () => {
      const o = await getOrderForGeneration(deps.db, orderId);
      return o ? { status: o.status, priority: await orderPriority(deps.db, o) } : null;
    },
    BOOKKEEPING,
  );
  if (!order) return { orderId, skipped: 'order not found', variants: {} };
  if (!isFulfillable(order.status)) {
    log.warn({ orderId, status: order.status }, 'order is not paid; not generating');
    return { orderId, skipped: `order status is ${order.status}`, variants: {} };
  }
  // Re-checks the payment in the same statement: a refund that landed after load-order must not leave 3 pending variants.
  const stillPaid = await ctx.step('create-variants', () => createPendingVariants(deps.db, { orderId, count: VARIANTS_PER_ORDER }), BOOKKEEPING);
  if (!stillPaid) {
    log.warn({ orderId }, 'order stopped being paid before its variants were created; not generating');
    return { orderId, skipped: 'order is no longer paid', variants: {} };
  }

  const tasks = Array.from({ length: VARIANTS_PER_ORDER }, (_, i) => ({ orderId, variantNumber: i + 1 }));
  const outcomes = await ctx.runOnProviderQueue('variants', tasks, { priority: order.priority });
  const variants = Object.fromEntries(tasks.map((t, i) => [t.variantNumber, outcomes[i]!]));
  log.info({ orderId, variants }, 'generate-song finished');
  return { orderId, variants };
}

/**
 * The generate-variant workflow body: one variant of a paid order, a child of
 * generate-song, run on the provider queue (one slot while it runs). Steps:
 * `generation-policy`, then the attempts of `runVariant`.
 */
export async function generateVariant(ctx: DurableContext, deps: GenerationDeps, orderId: string, variantNumber: number): Promise<VariantOutcome> {
  const log = deps.log.child({ workflowId: generateVariantWorkflowId(orderId, variantNumber) });
  return runVariant(ctx, await pinGenerationPolicy(ctx, { ...deps, log }), orderId, variantNumber);
}
