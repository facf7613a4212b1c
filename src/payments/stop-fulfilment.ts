import { failUnfinishedVariants } from '../db/song-variants';
import { orderWorkflowIdPrefix } from '../generation/workflow-names';
import type { WebhookEventContext } from './webhook-context';

/**
 * Stops an order whose money went back (a full refund, or a lost dispute):
 * - its unfinished variants fail with `reason` in this transaction, so its
 *   generation status stops reading `generating`;
 * - every unfinished workflow of the order (generate-song and each manual
 *   retry-variant, found by the order's workflow-id prefix) is cancelled after
 *   commit (DBOS cancel), and every variant-state write re-checks that the
 *   order is still fulfillable in its own statement, so a crash between commit
 *   and cancel, or a workflow already past its last cancellation check, still
 *   stops it.
 * Share links stop working through the order's status (`get_shared_song`
 * serves paid and disputed orders only).
 * @returns how many variants were stopped.
 */
export async function stopFulfilment(ctx: WebhookEventContext, orderId: string, reason: string): Promise<number> {
  const stopped = await failUnfinishedVariants(ctx.tx, { orderId, reason });
  const prefix = orderWorkflowIdPrefix(orderId);
  ctx.afterCommit(async () => {
    const running = await ctx.dbos.listWorkflows({ workflow_id_prefix: prefix, status: ['ENQUEUED', 'PENDING', 'DELAYED'] });
    if (running.length === 0) return;
    const workflowIds = running.map((w) => w.workflowID);
    await ctx.dbos.cancelWorkflows(workflowIds);
    ctx.log.info({ orderId, workflowIds }, 'unfinished generation cancelled');
  });
  return stopped;
}
