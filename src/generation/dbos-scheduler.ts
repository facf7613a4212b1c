import type { DBOSClient, WorkflowStatusString } from '@dbos-inc/dbos-sdk';
import { enqueueGenerateSong, getDbosClient } from './enqueue';
import { type GenerationScheduler, type OrderRunStatus, overallRunState, type RunState } from './scheduler';
import { APP_NAME, APP_VERSION, orderWorkflowIdPrefix, PROVIDER_QUEUE, RETRY_VARIANT_WORKFLOW, retryVariantWorkflowId } from './workflow-names';

/** DBOS workflow statuses (`dbos.workflow_status.status`) in the port's terms. */
const RUN_STATE: Record<string, RunState> = {
  ENQUEUED: 'queued',
  DELAYED: 'queued',
  PENDING: 'running',
  SUCCESS: 'finished',
  ERROR: 'failed',
  MAX_RECOVERY_ATTEMPTS_EXCEEDED: 'failed',
  CANCELLED: 'cancelled',
};

/** DBOS statuses of a workflow that has not ended (what a refund cancels). */
const UNFINISHED: WorkflowStatusString[] = ['ENQUEUED', 'PENDING', 'DELAYED'];

/**
 * The GenerationScheduler on DBOS Transact: runs are workflows in the app's own
 * Postgres, enqueued with `DBOSClient.enqueueInTransaction` in the caller's
 * transaction, so nothing happens after commit and there is nothing to relay.
 * Cancel and status go through `listWorkflows` by the order's workflow-id prefix
 * (`order:<orderId>`: generate-song, its variant children and manual retries).
 */
export function dbosScheduler(client: DBOSClient): GenerationScheduler {
  return {
    engine: 'dbos',
    startOrder(tx, orderId) {
      return enqueueGenerateSong(tx, client, orderId);
    },
    async retryVariant(tx, { orderId, variantNumber, deadLetterId, priority }) {
      const workflowID = retryVariantWorkflowId(orderId, variantNumber, deadLetterId);
      await client.enqueueInTransaction(
        tx,
        { queueName: PROVIDER_QUEUE, workflowName: RETRY_VARIANT_WORKFLOW, workflowID, appVersion: APP_VERSION, applicationName: APP_NAME, priority },
        orderId,
        variantNumber,
        deadLetterId,
      );
      return workflowID;
    },
    async cancelOrder(orderId) {
      const running = await client.listWorkflows({ workflow_id_prefix: orderWorkflowIdPrefix(orderId), status: UNFINISHED });
      const ids = running.map((w) => w.workflowID);
      if (ids.length > 0) await client.cancelWorkflows(ids);
      return ids;
    },
    async orderRunStatus(orderId): Promise<OrderRunStatus> {
      const all = await client.listWorkflows({ workflow_id_prefix: orderWorkflowIdPrefix(orderId) });
      const runs = all.map((w) => ({ id: w.workflowID, state: RUN_STATE[w.status] ?? 'running' }));
      return { state: overallRunState(runs), runs };
    },
    async relayPending() {},
  };
}

/** The DBOS scheduler on this process's DBOS client for `databaseUrl` (./enqueue.ts), with that client's pool size. */
export async function getDbosScheduler(databaseUrl: string, poolSize?: number): Promise<GenerationScheduler> {
  return dbosScheduler(await getDbosClient(databaseUrl, poolSize));
}
