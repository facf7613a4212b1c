import type { Queryable } from './pool';
import type { Column, Columns } from './rows';

/**
 * One dead-letter row. `eventData` must hold ids only: no secrets, no share
 * tokens, no customer text (docs/architecture.md "Dead letters").
 */
export interface FailedJobInput {
  /**
   * `payment_dispute`: a chargeback the operator must answer; `refund_failed`:
   * a refund whose money did not reach the customer.
   */
  jobType: 'generate_variant' | 'payment_intake' | 'payment_dispute' | 'refund_failed';
  orderId: string | null;
  variantNumber: number | null;
  eventData: Record<string, string | number | null>;
  errorMessage: string;
  errorStack: string | null;
  retryCount: number;
  /** What the provider said (status, code, message, prompt_suggestion); admin-only table. */
  providerDetail?: Record<string, unknown> | null;
  /**
   * The workflow step that writes this row: its idempotency key. A re-run of the
   * same step (after a crash) writes nothing; any other step's failure is a new row.
   */
  owner?: { workflowId: string; step: string };
}

/**
 * Writes a dead-letter row.
 * @returns its id, or undefined when `job.owner` already wrote its row (a re-run).
 */
export async function insertFailedJob(db: Queryable, job: FailedJobInput): Promise<string | undefined> {
  const { rows } = await db.query<{ id: string }>(
    `insert into public.failed_jobs
       (job_type, order_id, variant_number, event_data, error_message, error_stack, retry_count, provider_detail, workflow_id, step)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     on conflict (workflow_id, step) do nothing
     returning id`,
    [
      job.jobType,
      job.orderId,
      job.variantNumber,
      JSON.stringify(job.eventData),
      job.errorMessage,
      job.errorStack,
      job.retryCount,
      job.providerDetail ? JSON.stringify(job.providerDetail) : null,
      job.owner?.workflowId ?? null,
      job.owner?.step ?? null,
    ],
  );
  return rows[0]?.id;
}

/** Who took a dead letter on, and whether it is resolved (`resolved_at` is set). */
export type FailedJobLock = Columns<'failed_jobs', 'retry_workflow_id'> & { resolved: boolean };

/**
 * Locks one dead-letter row (FOR UPDATE, in the caller's transaction) and says
 * which retry workflow, if any, has taken it on.
 */
export async function lockFailedJob(tx: Queryable, id: string): Promise<FailedJobLock | undefined> {
  const { rows } = await tx.query<FailedJobLock>(
    `select retry_workflow_id as "retryWorkflowId", resolved_at is not null as resolved
     from public.failed_jobs where id = $1 for update`,
    [id],
  );
  return rows[0];
}

/** Records that retry workflow `workflowId` took this dead letter on (see `lockFailedJob`). */
export async function markFailedJobRetried(
  tx: Queryable,
  { id, workflowId }: { id: Column<'failed_jobs', 'id'>; workflowId: NonNullable<Column<'failed_jobs', 'retry_workflow_id'>> },
): Promise<void> {
  await tx.query(`update public.failed_jobs set retry_workflow_id = $2 where id = $1`, [id, workflowId]);
}
