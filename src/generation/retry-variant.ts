import { resolveFailedJob, resolveFailedVariantJobs } from '../db/failed-job-reads';
import { lockFailedJob, markFailedJobRetried } from '../db/failed-jobs';
import { type Db, withTransaction } from '../db/pool';
import { resetFailedVariant } from '../db/song-variants';
import type { DurableContext, VariantOutcome } from './durable-context';
import { BOOKKEEPING, type GenerationDeps, pinGenerationPolicy, runVariant } from './generate-song';

/**
 * Takes dead letter `deadLetterId` on for retry workflow `workflowId` and puts
 * its variant back to `pending`, in one transaction. Keyed on the workflow:
 * when this workflow already took it on (its step re-runs after a crash) the
 * answer is yes again, whatever the variant's state now; a dead letter that is
 * resolved or taken on by another retry, or an order that is no longer paid
 * (checked in the reset's own statement), is a no.
 * @returns whether this workflow may regenerate the variant.
 */
async function takeOnDeadLetter(db: Db, workflowId: string, orderId: string, variantNumber: number, deadLetterId: string): Promise<boolean> {
  return withTransaction(db, async (tx) => {
    const letter = await lockFailedJob(tx, deadLetterId);
    if (letter?.retryWorkflowId === workflowId) return true;
    if (!letter || letter.resolved || letter.retryWorkflowId) return false;
    if (!(await resetFailedVariant(tx, { orderId, variantNumber }))) return false;
    await markFailedJobRetried(tx, { id: deadLetterId, workflowId });
    return true;
  });
}

/**
 * The retry-variant workflow body (admin manual retry of one dead letter):
 * regenerates the failed variant of a paid order with the usual retry policy,
 * keeping its share token.
 *
 * Steps: `generation-policy`, `reset-variant`, the attempts of `runVariant`
 * (a new failure is a new dead letter, written by this workflow), then
 * `resolve-dead-letters`: the retried dead letter is closed either way, and
 * every open one of the variant once it is complete.
 * @returns `skipped` when the order is no longer paid or the dead letter is not
 *   this workflow's to retry.
 */
export async function retryVariant(
  ctx: DurableContext,
  deps: GenerationDeps,
  orderId: string,
  variantNumber: number,
  deadLetterId: string,
): Promise<VariantOutcome> {
  const workflowId = ctx.workflowId();
  const log = deps.log.child({ workflowId });
  const pinned = await pinGenerationPolicy(ctx, { ...deps, log });
  const reset = await ctx.step('reset-variant', () => takeOnDeadLetter(deps.db, workflowId, orderId, variantNumber, deadLetterId), BOOKKEEPING);
  if (!reset) {
    log.warn(
      { orderId, variantNumber, deadLetterId },
      'nothing to retry: the order is no longer paid, or the dead letter is resolved or taken on by another retry',
    );
    return 'skipped';
  }
  const outcome = await runVariant(ctx, pinned, orderId, variantNumber, `retry-variant-${variantNumber}`);
  if (outcome !== 'skipped') {
    await ctx.step(
      'resolve-dead-letters',
      async () => {
        await resolveFailedJob(deps.db, deadLetterId);
        if (outcome === 'complete') await resolveFailedVariantJobs(deps.db, { orderId, variantNumber });
      },
      BOOKKEEPING,
    );
  }
  log.info({ orderId, variantNumber, outcome }, 'manual retry finished');
  return outcome;
}
