import type { Queryable } from './pool';
import type { Columns } from './rows';
import type { VariantKey } from './song-variants';

/** A dead letter as admins list it; `providerDetail` is what the provider said (status, code, message). */
export type FailedJobView = Columns<
  'failed_jobs',
  'id' | 'job_type' | 'order_id' | 'variant_number' | 'error_message' | 'retry_count' | 'provider_detail' | 'failed_at' | 'resolved_at'
>;

/**
 * Dead-lettered jobs, newest first (at most 500). Admins read them under RLS
 * (policy "admins read failed jobs"); the CLI reads them with the privileged
 * connection.
 */
export async function selectFailedJobs(db: Queryable, options: { includeResolved?: boolean } = {}): Promise<FailedJobView[]> {
  const { rows } = await db.query<FailedJobView>(
    `select id, job_type as "jobType", order_id as "orderId", variant_number as "variantNumber",
            error_message as "errorMessage", retry_count as "retryCount", provider_detail as "providerDetail",
            failed_at as "failedAt", resolved_at as "resolvedAt"
     from public.failed_jobs
     where $1 or resolved_at is null
     order by failed_at desc limit 500`,
    [options.includeResolved ?? false],
  );
  return rows;
}

/** Marks a variant's open dead-letter rows resolved (its retry succeeded). */
export async function resolveFailedVariantJobs(db: Queryable, { orderId, variantNumber }: VariantKey): Promise<number> {
  const { rowCount } = await db.query(
    `update public.failed_jobs set resolved_at = now()
     where order_id = $1 and variant_number = $2 and job_type = 'generate_variant' and resolved_at is null`,
    [orderId, variantNumber],
  );
  return rowCount ?? 0;
}

/** Marks one dead-letter row resolved (the manual retry that took it on has finished). */
export async function resolveFailedJob(db: Queryable, id: string): Promise<void> {
  await db.query(`update public.failed_jobs set resolved_at = now() where id = $1 and resolved_at is null`, [id]);
}

/**
 * The variant's newest unresolved dead letter: what a manual retry is for. Its
 * id names the retry workflow, so asking twice names the same workflow, and a
 * new failure (a new row) names a new one.
 */
export async function findRetryableDeadLetter(db: Queryable, { orderId, variantNumber }: VariantKey): Promise<string | undefined> {
  const { rows } = await db.query<{ id: string }>(
    `select id from public.failed_jobs
     where order_id = $1 and variant_number = $2 and job_type = 'generate_variant' and resolved_at is null
     order by failed_at desc limit 1`,
    [orderId, variantNumber],
  );
  return rows[0]?.id;
}

/**
 * What the provider suggested with a dead letter (kept in `provider_detail`):
 * ElevenLabs 400 `bad_prompt` `data.prompt_suggestion`, or `bad_composition_plan`
 * `data.composition_plan_suggestion`; both undefined when it gave none.
 */
export async function getDeadLetterSuggestion(
  db: Queryable,
  id: string,
): Promise<{ promptSuggestion?: string; compositionPlanSuggestion?: Record<string, unknown> }> {
  const { rows } = await db.query<{ prompt: string | null; plan: Record<string, unknown> | null }>(
    `select provider_detail ->> 'promptSuggestion' as prompt,
            case when jsonb_typeof(provider_detail -> 'compositionPlanSuggestion') = 'object' then provider_detail -> 'compositionPlanSuggestion' end as plan
     from public.failed_jobs where id = $1`,
    [id],
  );
  return { promptSuggestion: rows[0]?.prompt ?? undefined, compositionPlanSuggestion: rows[0]?.plan ?? undefined };
}
