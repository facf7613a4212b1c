import { failUnfinishedVariants } from '../db/song-variants';
import { generateSongWorkflowId } from '../generation/workflow-names';
import type { WebhookEventContext } from './webhook-context';

/**
 * Stops an order whose money went back (a full refund, or a lost dispute):
 * its unfinished variants fail with `reason` in this transaction, so its
 * generation status stops reading `generating`; its workflow is cancelled
 * after commit (DBOS cancel). Each variant step also re-checks the order, so a
 * crash between commit and cancel still stops it. Share links stop working
 * through the order's status (`get_shared_song` serves paid and disputed
 * orders only).
 * @returns how many variants were stopped.
 */
export async function stopFulfilment(ctx: WebhookEventContext, orderId: string, reason: string): Promise<number> {
  const stopped = await failUnfinishedVariants(ctx.tx, orderId, reason);
  const workflowId = generateSongWorkflowId(orderId);
  ctx.afterCommit(async () => {
    const status = await ctx.dbos.getWorkflow(workflowId);
    if (status && ['ENQUEUED', 'PENDING', 'DELAYED'].includes(status.status)) {
      await ctx.dbos.cancelWorkflow(workflowId);
      ctx.log.info({ orderId, workflowId }, 'unfinished generation cancelled');
    }
  });
  return stopped;
}
