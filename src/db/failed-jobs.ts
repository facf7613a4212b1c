import type { Queryable } from './pool';

/**
 * One dead-letter row. `eventData` must hold ids only: no secrets, no share
 * tokens, no customer text (DESIGN.md "failed_jobs").
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
}

export async function insertFailedJob(db: Queryable, job: FailedJobInput): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `insert into public.failed_jobs (job_type, order_id, variant_number, event_data, error_message, error_stack, retry_count, provider_detail)
     values ($1, $2, $3, $4, $5, $6, $7, $8) returning id`,
    [
      job.jobType,
      job.orderId,
      job.variantNumber,
      JSON.stringify(job.eventData),
      job.errorMessage,
      job.errorStack,
      job.retryCount,
      job.providerDetail ? JSON.stringify(job.providerDetail) : null,
    ],
  );
  return rows[0]!.id;
}
