import { failUnfinishedVariants } from '../db/song-variants';
import type { WebhookEventContext } from './webhook-context';

/**
 * Stops an order whose money went back (a full refund, or a lost dispute):
 * - its unfinished variants fail with `reason` in this transaction, so its
 *   generation status stops reading `generating`;
 * - every unfinished run of the order (generate-song, its variants and each
 *   manual retry-variant) is cancelled after commit (`scheduler.cancelOrder`:
 *   DBOS cancel by the order's workflow-id prefix, or Inngest's `cancelOn`
 *   event), and every variant-state write re-checks that the
 *   order is still fulfillable in its own statement, so a crash between commit
 *   and cancel, or a workflow already past its last cancellation check, still
 *   stops it.
 * Share links stop working through the order's status (`get_shared_song`
 * serves paid and disputed orders only).
 * @returns how many variants were stopped.
 */
export async function stopFulfilment(ctx: WebhookEventContext, orderId: string, reason: string): Promise<number> {
  const stopped = await failUnfinishedVariants(ctx.tx, { orderId, reason });
  ctx.afterCommit(async () => {
    const runIds = await ctx.scheduler.cancelOrder(orderId);
    if (runIds.length > 0) ctx.log.info({ orderId, runIds }, 'unfinished generation cancelled');
  });
  return stopped;
}
