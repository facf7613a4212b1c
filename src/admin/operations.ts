import { z } from 'zod';
import { getCustomization } from '../db/customizations';
import { getDeadLetterSuggestion } from '../db/failed-job-reads';
import { getCurrentPromptRevision, insertPromptRevision } from '../db/prompt-revisions';
import { MAX_PROMPT_CHARS, promptSha256, sentPromptSha256, variantPrompt } from '../generation/prompt';
import { parseInput } from '../validation/parse-input';
import { resumeGeneration } from '../db/generation-control';
import { findRetryableDeadLetter } from '../db/failed-job-reads';
import { type Db, type Queryable, withTransaction } from '../db/pool';
import { getOrderForGeneration, isFulfillable, lockOrderStatus } from '../db/orders';
import { getVariant } from '../db/song-variants';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors';
import type { JwtClaims } from '../db/pool';
import { orderPriority } from '../generation/priority';
import { isUuid } from '../validation/uuid';
import type { GenerationScheduler } from '../generation/scheduler';

/**
 * Admin rights come only from `app_metadata.role = 'admin'`, which only the
 * server can set; `user_metadata` is the user's own to edit.
 * @throws ForbiddenError (403, "admin only").
 */
export function requireAdmin(claims: JwtClaims): void {
  const appMetadata = claims.app_metadata as { role?: unknown } | undefined;
  if (appMetadata?.role !== 'admin') throw new ForbiddenError('admin only');
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters (other than tab and newline) is the point
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/**
 * The body of an admin retry (`POST /api/admin/orders/:id/variants/:n/retry`),
 * all optional: `prompt`, a replacement prompt (1–2000 characters after
 * trimming, ElevenLabs Music's limit; no control characters but tab and
 * newline), or `useSuggestion: true`, to retry with the prompt suggestion the
 * provider gave in the variant's open dead letter. Not both.
 */
export const RetryRequestSchema = z
  .strictObject({
    prompt: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(MAX_PROMPT_CHARS, `must be at most ${MAX_PROMPT_CHARS} characters`)
      .refine((p) => !CONTROL_CHARACTERS.test(p), 'must not contain control characters')
      .optional(),
    useSuggestion: z.boolean().optional(),
  })
  .refine((r) => !(r.prompt !== undefined && r.useSuggestion), 'give either prompt or useSuggestion, not both');
export type RetryRequest = z.infer<typeof RetryRequestSchema>;

/**
 * Parses an admin retry's request body: empty means a plain retry (`{}`).
 * @throws ValidationError (400 `invalid_body`) for bad JSON or a bad field.
 */
export function parseRetryRequest(rawBody: string): RetryRequest {
  if (!rawBody.trim()) return {};
  let value: unknown;
  try {
    value = JSON.parse(rawBody);
  } catch {
    throw new ValidationError('body is not valid JSON');
  }
  return parseInput(RetryRequestSchema, value, 'invalid retry request');
}

/** Who asked for a retry, for the prompt audit row: `admin:<user id>` or `cli:<os user>`. */
export type RetryActor = string;

/**
 * Makes `replacement` the variant's prompt for its retry: a `prompt_revisions`
 * audit row (who, when, sha256 of the old and the new prompt; the text is in
 * that admin-only table and never in a log) and `song_variants.prompt_source`,
 * in the caller's transaction. The old prompt is the variant's current
 * revision, or the original one built from the customization.
 */
async function revisePrompt(
  tx: Queryable,
  orderId: string,
  variantNumber: number,
  customizationId: string,
  replacement: { prompt: string } | { compositionPlan: Record<string, unknown> },
  source: 'operator' | 'provider_suggestion',
  actor: RetryActor,
): Promise<void> {
  const current = await getCurrentPromptRevision(tx, { orderId, variantNumber });
  const customization = current ? undefined : await getCustomization(tx, customizationId);
  // What the variant's last attempt sent: its current revision, else the prompt built from the customization.
  const old = current ? variantPrompt(EMPTY_CUSTOMIZATION, variantNumber, current) : customization && variantPrompt(customization, variantNumber, undefined);
  const prompt = 'prompt' in replacement ? replacement.prompt : null;
  const compositionPlan = 'compositionPlan' in replacement ? replacement.compositionPlan : null;
  await insertPromptRevision(tx, {
    orderId,
    variantNumber,
    source,
    prompt,
    compositionPlan,
    previousPromptSha256: old ? sentPromptSha256(old) : promptSha256(''),
    promptSha256: promptSha256(prompt ?? JSON.stringify(compositionPlan)),
    createdBy: actor,
  });
}

/** Stands in for a customization when only a revision's own text or plan is needed. */
const EMPTY_CUSTOMIZATION = { recipientName: '', occasion: '', occasionDate: '', genre: '', mood: '', story: '', language: '' };

/**
 * Starts a manual retry of one failed variant: a `retry-variant` workflow on
 * the provider queue (so it shares the provider's concurrency limit), with its
 * order's priority (occasion date, then payment rank: the value its first run
 * had), that regenerates only that variant and keeps its share token.
 * - Named after the variant's open dead letter: asking twice returns the same
 *   workflow; a retry that failed again left a new dead letter, so the next
 *   request starts a new workflow instead of finding the finished one.
 * - Started (`scheduler.retryVariant`: a DBOS enqueue, or an Inngest outbox
 *   row sent after commit) in the transaction that checked the order is paid,
 *   with the order row locked: a refund waits for it, then cancels this run
 *   with the rest.
 * - With `request.prompt` (validated: `RetryRequestSchema`) the retry uses
 *   that prompt (`prompt_source = operator`); with `request.useSuggestion` the
 *   provider's suggestion from the open dead letter (`provider_suggestion`).
 *   Either way an audit row records `actor`, the time and both prompts'
 *   sha256, in the same transaction as the enqueue. The share token stays.
 * @returns the run id (DBOS workflow id; Inngest event id).
 * @throws NotFoundError (404) for an unknown order or variant; ValidationError
 *   (400) for a bad replacement prompt; ConflictError (409) when the order is
 *   not paid, the variant has not failed, it has no open dead letter, or
 *   `useSuggestion` is asked for and the dead letter has no suggestion.
 */
export async function retryFailedVariant(
  db: Db,
  scheduler: GenerationScheduler,
  orderId: string,
  variantNumber: number,
  request: RetryRequest = {},
  actor: RetryActor = 'unknown',
): Promise<{ workflowId: string }> {
  if (!isUuid(orderId)) throw new NotFoundError('order not found');
  if (!Number.isInteger(variantNumber) || variantNumber < 1 || variantNumber > 5)
    throw new ValidationError('variant must be 1–5', undefined, 'invalid_request');
  const replacement = parseInput(RetryRequestSchema, request, 'invalid retry request');
  const afterCommit: (() => Promise<void>)[] = [];
  const result = await withTransaction(db, async (tx) => {
    const status = await lockOrderStatus(tx, orderId);
    const variant = status && (await getVariant(tx, { orderId, variantNumber }));
    if (!variant) throw new NotFoundError('variant not found');
    // a disputed order's song may be the evidence: it is regenerated like a paid one's
    if (!isFulfillable(status)) throw new ConflictError(`order is ${status}, not paid: nothing to regenerate`);
    if (variant.status !== 'failed') throw new ConflictError(`variant ${variantNumber} is ${variant.status}, not failed`);
    const deadLetterId = await findRetryableDeadLetter(tx, { orderId, variantNumber });
    if (!deadLetterId) throw new ConflictError(`variant ${variantNumber} has no open dead letter to retry`);
    const order = (await getOrderForGeneration(tx, orderId))!;
    if (replacement.useSuggestion) {
      const { promptSuggestion, compositionPlanSuggestion } = await getDeadLetterSuggestion(tx, deadLetterId);
      const prompt = promptSuggestion?.trim().slice(0, MAX_PROMPT_CHARS);
      if (!prompt && !compositionPlanSuggestion) throw new ConflictError(`variant ${variantNumber}'s dead letter has no suggestion to use`);
      const suggestion = prompt ? { prompt } : { compositionPlan: compositionPlanSuggestion! };
      await revisePrompt(tx, orderId, variantNumber, order.customizationId, suggestion, 'provider_suggestion', actor);
    } else if (replacement.prompt !== undefined) {
      await revisePrompt(tx, orderId, variantNumber, order.customizationId, { prompt: replacement.prompt }, 'operator', actor);
    }
    const priority = await orderPriority(tx, { id: orderId, occasionDate: order.occasionDate });
    const workflowId = await scheduler.retryVariant(tx, { orderId, variantNumber, deadLetterId, priority }, (fn) => afterCommit.push(fn));
    return { workflowId };
  });
  // Inngest: send the committed outbox row now; a failure is left to the relay.
  for (const fn of afterCommit) await fn().catch(() => undefined);
  return result;
}

/** Lets provider calls run again after a pause (dead key, quota). */
export async function resumeGenerationQueue(db: Queryable): Promise<{ resumed: boolean }> {
  return { resumed: await resumeGeneration(db) };
}
