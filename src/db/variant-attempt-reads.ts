import type { Customization } from './customizations';
import type { OrderStatus } from './orders';
import type { Queryable } from './pool';
import type { DeliveredAudio } from './provider-calls';
import type { VariantStatus } from './song-variants';

/** Where a variant's prompt came from (`public.prompt_source`). */
export type PromptSource = 'original' | 'provider_suggestion' | 'operator';

/** The prompt a variant's next attempt uses instead of the built one (a `prompt_revisions` row). */
export interface PromptRevision {
  id: string;
  source: Exclude<PromptSource, 'original'>;
  /** At most 2000 characters; null when the revision is a composition plan. Customer text: never log it. */
  prompt: string | null;
  /** A composition plan in ElevenLabs' wire shape (snake_case), instead of a prompt; else null. */
  compositionPlan: Record<string, unknown> | null;
}

/** Everything one attempt needs to decide whether, and with what prompt, to call the provider. */
export interface AttemptContext {
  variant: { status: VariantStatus; attempts: number; promptSource: PromptSource };
  order: { status: OrderStatus; customizationId: string };
  /** The latest successful call's audio, if any (already paid for). */
  delivered: DeliveredAudio | undefined;
  pause: { paused: boolean; reason: string | null };
  customization: Customization | undefined;
  /** The variant's current prompt revision; undefined: build the original prompt. */
  revision: PromptRevision | undefined;
  /** Calls of this variant left open by a crash mid-call, closed now as `unknown` (probably paid). */
  abandoned: number;
}

/**
 * Reads what an attempt needs in ONE statement (one round trip on the hot
 * path of every provider call): the variant, its order's payment status, the
 * latest delivered audio, the generation pause, the customization and the
 * variant's prompt revision. It also closes the variant's calls left open by a
 * crash mid-call as outcome `unknown` (a data-modifying CTE; the reads see the
 * snapshot before it, and a closed call is never `success`, so they agree).
 * Safe only inside the variant's own step, when no other attempt of it runs.
 * @returns undefined when the variant does not exist.
 */
export async function loadAttemptContext(db: Queryable, orderId: string, variantNumber: number): Promise<AttemptContext | undefined> {
  const { rows } = await db.query<{
    status: VariantStatus;
    attempts: number;
    promptSource: PromptSource;
    orderStatus: OrderStatus | null;
    customizationId: string | null;
    delivered: DeliveredAudio | null;
    paused: boolean | null;
    pausedReason: string | null;
    customization: (Omit<Customization, 'occasionDate'> & { occasionDate: string }) | null;
    revision: PromptRevision | null;
    abandoned: number;
  }>(
    `with closed as (
       update public.provider_calls set finished_at = now(), outcome = 'unknown', error = 'cut off by a worker crash'
       where order_id = $1 and variant_number = $2 and finished_at is null
       returning 1
     )
     select v.generation_status as status, v.attempts, v.prompt_source as "promptSource",
            o.status as "orderStatus", o.customization_id as "customizationId",
            (select json_build_object('storagePath', p.storage_path, 'contentType', p.content_type,
                                      'durationMs', p.duration_ms, 'providerSongId', p.provider_song_id)
               from public.provider_calls p
              where p.order_id = $1 and p.variant_number = $2 and p.outcome = 'success' and p.storage_path is not null
              order by p.id desc limit 1) as delivered,
            (select g.paused_at is not null and (g.resumed_at is null or g.resumed_at < g.paused_at)
               from public.generation_control g where g.id) as paused,
            (select g.paused_reason from public.generation_control g where g.id) as "pausedReason",
            (select json_build_object('id', c.id, 'userId', c.user_id, 'recipientName', c.recipient_name, 'occasion', c.occasion,
                                      'occasionDate', c.occasion_date::text, 'genre', c.genre, 'mood', c.mood,
                                      'story', c.story, 'language', c.language)
               from public.customizations c where c.id = o.customization_id) as customization,
            (select json_build_object('id', r.id::text, 'source', r.source, 'prompt', r.prompt, 'compositionPlan', r.composition_plan)
               from public.prompt_revisions r where r.id = v.prompt_revision_id) as revision,
            (select count(*)::int from closed) as abandoned
     from public.song_variants v
     left join public.orders o on o.id = v.order_id
     where v.order_id = $1 and v.variant_number = $2`,
    [orderId, variantNumber],
  );
  const r = rows[0];
  if (!r) return undefined;
  return {
    variant: { status: r.status, attempts: r.attempts, promptSource: r.promptSource },
    order: { status: r.orderStatus as OrderStatus, customizationId: r.customizationId as string },
    delivered: r.delivered ?? undefined,
    pause: { paused: r.paused ?? false, reason: r.pausedReason },
    customization: r.customization ?? undefined,
    revision: r.revision ?? undefined,
    abandoned: r.abandoned,
  };
}

/**
 * Marks an attempt as started (status `generating`, `attempts` + 1) and writes
 * the provider call to the ledger, before it is made, in one statement: the
 * ledger row exists only if the variant was marked. The order is re-checked
 * (locked FOR SHARE) in the same statement, so a refund in between is seen.
 * @returns the ledger row id, or undefined (nothing written, do not call the
 *   provider) when the order is no longer paid or the variant is complete.
 */
export async function startVariantCall(
  db: Queryable,
  call: { orderId: string; variantNumber: number; provider: string; promptSource: PromptSource },
): Promise<string | undefined> {
  const { rows } = await db.query<{ id: string }>(
    `with paid_order as (select id from public.orders where id = $1 and status in ('paid', 'disputed') for share),
     marked as (
       update public.song_variants v
          set generation_status = 'generating', attempts = attempts + 1, updated_at = now()
         from paid_order o
        where v.order_id = o.id and v.variant_number = $2 and v.generation_status <> 'complete'
        returning v.order_id
     )
     insert into public.provider_calls (order_id, variant_number, provider, prompt_source)
     select order_id, $2, $3, $4 from marked
     returning id`,
    [call.orderId, call.variantNumber, call.provider, call.promptSource],
  );
  return rows[0]?.id;
}
