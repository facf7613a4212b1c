import type { Queryable } from './pool';
import type { Column, Columns, Filled } from './rows';

/** The `generation_status` enum. */
export type VariantStatus = Column<'song_variants', 'generation_status'>;

/** One variant as `VARIANT_COLUMNS` reads it. */
export type VariantRow = Columns<
  'song_variants',
  | 'id'
  | 'order_id'
  | 'variant_number'
  | 'storage_path'
  | 'content_type'
  | 'duration_ms'
  | 'share_token'
  | 'selected'
  | 'attempts'
  | 'last_error'
  | 'completed_at'
> & { status: VariantStatus };

/** Names one variant: the order and its number (from 1). */
export type VariantKey = Columns<'song_variants', 'order_id' | 'variant_number'>;

export const VARIANT_COLUMNS = `id, order_id as "orderId", variant_number as "variantNumber",
  generation_status as status, storage_path as "storagePath", content_type as "contentType",
  duration_ms as "durationMs", share_token as "shareToken", selected, attempts,
  last_error as "lastError", completed_at as "completedAt"`;

/**
 * The order row, locked FOR SHARE for the rest of the statement's transaction,
 * if and only if it is still fulfillable: `paid`, or `disputed` (its song may
 * be the merchant's evidence; orders.ts FULFILLABLE). Every variant-state
 * write joins it, so a refund or a lost dispute (which updates the order, then
 * fails unfinished variants) is either seen by the write or waits for it and
 * then sees what it wrote: a refunded order never gets a variant put back to
 * `pending`, `generating` or `complete`.
 */
const PAID_ORDER = `paid_order as (select id, user_id from public.orders where id = $1 and status in ('paid', 'disputed') for share)`;

/**
 * Creates variants 1..count as `pending` for a paid order. Idempotent: existing
 * rows (from an earlier run of the same workflow) are kept as they are.
 * @returns false when the order is no longer paid (refunded meanwhile): nothing is created.
 */
export async function createPendingVariants(db: Queryable, { orderId, count }: { orderId: string; count: number }): Promise<boolean> {
  const { rows } = await db.query<{ paid: boolean }>(
    `with ${PAID_ORDER},
     created as (
       insert into public.song_variants (order_id, user_id, variant_number)
       select o.id, o.user_id, n from paid_order o, generate_series(1, $2::int) n
       on conflict (order_id, variant_number) do nothing
     )
     select exists (select 1 from paid_order) as paid`,
    [orderId, count],
  );
  return rows[0]!.paid;
}

export async function getVariant(db: Queryable, { orderId, variantNumber }: VariantKey): Promise<VariantRow | undefined> {
  const { rows } = await db.query<VariantRow>(`select ${VARIANT_COLUMNS} from public.song_variants where order_id = $1 and variant_number = $2`, [
    orderId,
    variantNumber,
  ]);
  return rows[0];
}

/** Variants of one order, by number. */
export async function listVariants(db: Queryable, orderId: string): Promise<VariantRow[]> {
  const { rows } = await db.query<VariantRow>(`select ${VARIANT_COLUMNS} from public.song_variants where order_id = $1 order by variant_number`, [orderId]);
  return rows;
}

/**
 * Marks an attempt as started: status `generating`, `attempts` + 1.
 * @returns false (nothing written, do not call the provider) when the order is
 *   no longer paid or the variant is already complete.
 */
export async function markVariantGenerating(db: Queryable, { orderId, variantNumber }: VariantKey): Promise<boolean> {
  const { rowCount } = await db.query(
    `with ${PAID_ORDER}
     update public.song_variants v
       set generation_status = 'generating', attempts = attempts + 1, updated_at = now()
     from paid_order o
     where v.order_id = o.id and v.variant_number = $2 and v.generation_status <> 'complete'`,
    [orderId, variantNumber],
  );
  return (rowCount ?? 0) > 0;
}

/** What a finished variant records (non-null once it is complete). */
export type VariantResult = Filled<Columns<'song_variants', 'storage_path' | 'content_type' | 'duration_ms'>> & Columns<'song_variants', 'provider_song_id'>;

/**
 * Records a finished variant. `durationMs` in ms; `storagePath` relative to the storage root.
 * @returns false when the order is no longer paid (refunded meanwhile): the variant is left as the refund left it.
 */
export async function markVariantComplete(
  db: Queryable,
  { orderId, variantNumber, storagePath, contentType, durationMs, providerSongId }: VariantKey & VariantResult,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `with ${PAID_ORDER}
     update public.song_variants v
       set generation_status = 'complete', storage_path = $3, content_type = $4, duration_ms = $5,
           provider_song_id = $6, last_error = null, completed_at = now(), updated_at = now()
     from paid_order o
     where v.order_id = o.id and v.variant_number = $2`,
    [orderId, variantNumber, storagePath, contentType, durationMs, providerSongId],
  );
  return (rowCount ?? 0) > 0;
}

/** Records the latest error of an attempt; status stays `generating` while retries remain. */
export async function recordVariantError(db: Queryable, { orderId, variantNumber, error }: VariantKey & { error: string }): Promise<void> {
  await db.query(
    `update public.song_variants set last_error = $3, updated_at = now()
     where order_id = $1 and variant_number = $2`,
    [orderId, variantNumber, error],
  );
}

/** Marks a variant `failed` for good (attempts exhausted or a permanent error). */
export async function markVariantFailed(db: Queryable, { orderId, variantNumber, error }: VariantKey & { error: string }): Promise<void> {
  await db.query(
    `update public.song_variants set generation_status = 'failed', last_error = $3, updated_at = now()
     where order_id = $1 and variant_number = $2 and generation_status <> 'complete'`,
    [orderId, variantNumber, error],
  );
}

/**
 * Puts a failed variant of a paid order back to `pending` for a manual retry.
 * Its share token, attempts and history stay.
 * @returns false unless the order is paid and the variant was `failed`.
 */
export async function resetFailedVariant(db: Queryable, { orderId, variantNumber }: VariantKey): Promise<boolean> {
  const { rowCount } = await db.query(
    `with ${PAID_ORDER}
     update public.song_variants v set generation_status = 'pending', updated_at = now()
     from paid_order o
     where v.order_id = o.id and v.variant_number = $2 and v.generation_status = 'failed'`,
    [orderId, variantNumber],
  );
  return (rowCount ?? 0) > 0;
}

/**
 * Marks every variant of an order that has not finished as `failed` with
 * `reason` (e.g. the order was refunded): they will not be generated, and the
 * order's generation status should say so instead of "generating" forever.
 */
export async function failUnfinishedVariants(db: Queryable, { orderId, reason }: { orderId: string; reason: string }): Promise<number> {
  const { rowCount } = await db.query(
    `update public.song_variants set generation_status = 'failed', last_error = $2, updated_at = now()
     where order_id = $1 and generation_status in ('pending', 'generating')`,
    [orderId, reason],
  );
  return rowCount ?? 0;
}
