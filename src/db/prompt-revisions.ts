import type { Queryable } from './pool';
import type { PromptRevision, PromptSource } from './variant-attempt-reads';

export interface PromptRevisionInput {
  orderId: string;
  variantNumber: number;
  source: Exclude<PromptSource, 'original'>;
  /** The replacement prompt, 1–2000 characters (or a composition plan, below). Customer text: never log it. */
  prompt: string | null;
  /** A composition plan in ElevenLabs' wire shape, instead of `prompt`. */
  compositionPlan?: Record<string, unknown> | null;
  /** sha256 (hex) of the prompt it replaces. */
  previousPromptSha256: string;
  /** sha256 (hex) of `prompt`. */
  promptSha256: string;
  /** `admin:<user id>`, `cli:<os user>` or `workflow:<workflow id>`. */
  createdBy: string;
  /** The workflow step writing it (self-healing): its idempotency key. */
  owner?: { workflowId: string; step: string };
}

/**
 * Records a prompt revision (the audit row: who, when, old and new prompt
 * hashes) and makes it the variant's prompt for its next attempt
 * (`song_variants.prompt_source`, `prompt_revision_id`), in one statement.
 * Idempotent per `owner`: a re-run of the same workflow step writes nothing
 * and leaves the variant as that step left it.
 * @returns the revision id, or undefined when `owner` already wrote its row.
 */
export async function insertPromptRevision(db: Queryable, r: PromptRevisionInput): Promise<string | undefined> {
  const { rows } = await db.query<{ id: string }>(
    `with revision as (
       insert into public.prompt_revisions
         (order_id, variant_number, source, prompt, previous_prompt_sha256, prompt_sha256, created_by, workflow_id, step, composition_plan)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       on conflict (workflow_id, step) do nothing
       returning id, order_id, variant_number, source
     ),
     applied as (
       update public.song_variants v set prompt_source = r.source, prompt_revision_id = r.id, updated_at = now()
       from revision r where v.order_id = r.order_id and v.variant_number = r.variant_number
     )
     select id::text from revision`,
    [
      r.orderId,
      r.variantNumber,
      r.source,
      r.prompt,
      r.previousPromptSha256,
      r.promptSha256,
      r.createdBy,
      r.owner?.workflowId ?? null,
      r.owner?.step ?? null,
      r.compositionPlan ? JSON.stringify(r.compositionPlan) : null,
    ],
  );
  return rows[0]?.id;
}

/** A variant's current prompt revision, or undefined when it uses its original prompt. */
export async function getCurrentPromptRevision(db: Queryable, orderId: string, variantNumber: number): Promise<PromptRevision | undefined> {
  const { rows } = await db.query<PromptRevision>(
    `select r.id::text, r.source, r.prompt, r.composition_plan as "compositionPlan"
     from public.song_variants v join public.prompt_revisions r on r.id = v.prompt_revision_id
     where v.order_id = $1 and v.variant_number = $2`,
    [orderId, variantNumber],
  );
  return rows[0];
}

/** The audit rows of a variant's prompt revisions, oldest first (no prompt text). */
export async function listPromptRevisionAudit(
  db: Queryable,
  orderId: string,
  variantNumber: number,
): Promise<{ source: PromptSource; previousPromptSha256: string; promptSha256: string; createdBy: string; createdAt: Date }[]> {
  const { rows } = await db.query(
    `select source, previous_prompt_sha256 as "previousPromptSha256", prompt_sha256 as "promptSha256",
            created_by as "createdBy", created_at as "createdAt"
     from public.prompt_revisions where order_id = $1 and variant_number = $2 order by id`,
    [orderId, variantNumber],
  );
  return rows;
}
