import type { DBOSClient } from '@dbos-inc/dbos-sdk';
import { resumeGeneration } from '../db/generation-control';
import { countFailedVariantJobs } from '../db/failed-job-reads';
import type { Queryable } from '../db/pool';
import { getOrderForGeneration } from '../db/orders';
import { listVariants } from '../db/song-variants';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors';
import type { JwtClaims } from '../db/pool';
import { orderPriority } from '../generation/priority';
import { APP_NAME, APP_VERSION, PROVIDER_QUEUE, RETRY_VARIANT_WORKFLOW, retryVariantWorkflowId } from '../generation/workflow-names';

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
 * Starts a manual retry of one failed variant: a new `retry-variant` workflow on
 * the provider queue (so it shares the provider's concurrency limit), with its
 * order's priority (the occasion date's, as its first run had), that
 * regenerates only that variant and keeps its share token. Idempotent per
 * dead-lettering: asking twice returns the same workflow.
 * @returns the workflow id.
 * @throws NotFoundError (404) for an unknown order or variant; ConflictError
 *   (409) when the variant has not failed.
 */
export async function retryFailedVariant(db: Queryable, dbos: DBOSClient, orderId: string, variantNumber: number): Promise<{ workflowId: string }> {
  if (!/^[0-9a-f-]{36}$/i.test(orderId)) throw new NotFoundError('order not found');
  if (!Number.isInteger(variantNumber) || variantNumber < 1 || variantNumber > 5) throw new ValidationError('variant must be 1–5');
  const variant = (await listVariants(db, orderId)).find((v) => v.variantNumber === variantNumber);
  if (!variant) throw new NotFoundError('variant not found');
  const order = await getOrderForGeneration(db, orderId);
  if (order?.status !== 'paid') throw new ConflictError(`order is ${order?.status ?? 'missing'}, not paid: nothing to regenerate`);
  if (variant.status !== 'failed') throw new ConflictError(`variant ${variantNumber} is ${variant.status}, not failed`);
  const workflowId = retryVariantWorkflowId(orderId, variantNumber, await countFailedVariantJobs(db, orderId, variantNumber));
  await dbos.enqueue(
    {
      queueName: PROVIDER_QUEUE,
      workflowName: RETRY_VARIANT_WORKFLOW,
      workflowID: workflowId,
      appVersion: APP_VERSION,
      applicationName: APP_NAME,
      priority: await orderPriority(db, order),
    },
    orderId,
    variantNumber,
  );
  return { workflowId };
}

/** Lets provider calls run again after a pause (dead key, quota). */
export async function resumeGenerationQueue(db: Queryable): Promise<{ resumed: boolean }> {
  return { resumed: await resumeGeneration(db) };
}
