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

/**
 * Starts a manual retry of one failed variant: a `retry-variant` workflow on
 * the provider queue (so it shares the provider's concurrency limit), with its
 * order's priority (occasion date, then payment rank: the value its first run
 * had), that regenerates only that variant and keeps its share token.
 * - Named after the variant's open dead letter: asking twice returns the same
 *   workflow; a retry that failed again left a new dead letter, so the next
 *   request starts a new workflow instead of finding the finished one.
 * - Started (`scheduler.retryVariant`) in the transaction that checked the
 *   order is paid, with the order row locked: a refund waits for it, then
 *   cancels this run with the rest.
 * @returns the run id (DBOS workflow id; Inngest event id).
 * @throws NotFoundError (404) for an unknown order or variant; ConflictError
 *   (409) when the order is not paid, the variant has not failed, or it has no
 *   open dead letter.
 */
export async function retryFailedVariant(db: Db, scheduler: GenerationScheduler, orderId: string, variantNumber: number): Promise<{ workflowId: string }> {
  if (!isUuid(orderId)) throw new NotFoundError('order not found');
  if (!Number.isInteger(variantNumber) || variantNumber < 1 || variantNumber > 5)
    throw new ValidationError('variant must be 1–5', undefined, 'invalid_request');
  const afterCommit: (() => Promise<void>)[] = [];
  const result = await withTransaction(db, async (tx) => {
    const status = await lockOrderStatus(tx, orderId);
    const variant = status && (await getVariant(tx, orderId, variantNumber));
    if (!variant) throw new NotFoundError('variant not found');
    // a disputed order's song may be the evidence: it is regenerated like a paid one's
    if (!isFulfillable(status)) throw new ConflictError(`order is ${status}, not paid: nothing to regenerate`);
    if (variant.status !== 'failed') throw new ConflictError(`variant ${variantNumber} is ${variant.status}, not failed`);
    const deadLetterId = await findRetryableDeadLetter(tx, orderId, variantNumber);
    if (!deadLetterId) throw new ConflictError(`variant ${variantNumber} has no open dead letter to retry`);
    const priority = await orderPriority(tx, { id: orderId, occasionDate: (await getOrderForGeneration(tx, orderId))!.occasionDate });
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
