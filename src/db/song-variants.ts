import type { Queryable } from './pool';

export type VariantStatus = 'pending' | 'generating' | 'complete' | 'failed';

export interface VariantRow {
  id: string;
  orderId: string;
  variantNumber: number;
  status: VariantStatus;
  storagePath: string | null;
  contentType: string | null;
  durationMs: number | null;
  shareToken: string;
  selected: boolean;
  attempts: number;
  lastError: string | null;
  completedAt: Date | null;
}

export const VARIANT_COLUMNS = `id, order_id as "orderId", variant_number as "variantNumber",
  generation_status as status, storage_path as "storagePath", content_type as "contentType",
  duration_ms as "durationMs", share_token as "shareToken", selected, attempts,
  last_error as "lastError", completed_at as "completedAt"`;

/**
 * Creates variants 1..count as `pending` for an order. Idempotent: existing
 * rows (from an earlier run of the same workflow) are kept as they are.
 */
export async function createPendingVariants(db: Queryable, orderId: string, count: number): Promise<void> {
  await db.query(
    `insert into public.song_variants (order_id, user_id, variant_number)
     select o.id, o.user_id, n from public.orders o, generate_series(1, $2::int) n
     where o.id = $1
     on conflict (order_id, variant_number) do nothing`,
    [orderId, count],
  );
}

export async function getVariant(db: Queryable, orderId: string, variantNumber: number): Promise<VariantRow | undefined> {
  const { rows } = await db.query<VariantRow>(
    `select ${VARIANT_COLUMNS} from public.song_variants where order_id = $1 and variant_number = $2`,
    [orderId, variantNumber],
  );
  return rows[0];
}

/** Variants of one order, by number. */
export async function listVariants(db: Queryable, orderId: string): Promise<VariantRow[]> {
  const { rows } = await db.query<VariantRow>(
    `select ${VARIANT_COLUMNS} from public.song_variants where order_id = $1 order by variant_number`,
    [orderId],
  );
  return rows;
}

/** Marks an attempt as started: status `generating`, `attempts` + 1. */
export async function markVariantGenerating(db: Queryable, orderId: string, variantNumber: number): Promise<void> {
  await db.query(
    `update public.song_variants
       set generation_status = 'generating', attempts = attempts + 1, updated_at = now()
     where order_id = $1 and variant_number = $2 and generation_status <> 'complete'`,
    [orderId, variantNumber],
  );
}

/** Records a finished variant. `durationMs` in ms; `storagePath` relative to the storage root. */
export async function markVariantComplete(
  db: Queryable,
  orderId: string,
  variantNumber: number,
  result: { storagePath: string; contentType: string; durationMs: number; providerSongId: string | null },
): Promise<void> {
  await db.query(
    `update public.song_variants
       set generation_status = 'complete', storage_path = $3, content_type = $4, duration_ms = $5,
           provider_song_id = $6, last_error = null, completed_at = now(), updated_at = now()
     where order_id = $1 and variant_number = $2`,
    [orderId, variantNumber, result.storagePath, result.contentType, result.durationMs, result.providerSongId],
  );
}

/** Records the latest error of an attempt; status stays `generating` while retries remain. */
export async function recordVariantError(db: Queryable, orderId: string, variantNumber: number, error: string): Promise<void> {
  await db.query(
    `update public.song_variants set last_error = $3, updated_at = now()
     where order_id = $1 and variant_number = $2`,
    [orderId, variantNumber, error],
  );
}

/** Marks a variant `failed` for good (attempts exhausted or a permanent error). */
export async function markVariantFailed(db: Queryable, orderId: string, variantNumber: number, error: string): Promise<void> {
  await db.query(
    `update public.song_variants set generation_status = 'failed', last_error = $3, updated_at = now()
     where order_id = $1 and variant_number = $2 and generation_status <> 'complete'`,
    [orderId, variantNumber, error],
  );
}

/**
 * Puts a failed variant back to `pending` for a manual retry. Its share token,
 * attempts and history stay. @returns false unless the variant was `failed`.
 */
export async function resetFailedVariant(db: Queryable, orderId: string, variantNumber: number): Promise<boolean> {
  const { rowCount } = await db.query(
    `update public.song_variants set generation_status = 'pending', updated_at = now()
     where order_id = $1 and variant_number = $2 and generation_status = 'failed'`,
    [orderId, variantNumber],
  );
  return (rowCount ?? 0) > 0;
}

/**
 * Marks every variant of an order that has not finished as `failed` with
 * `reason` (e.g. the order was refunded): they will not be generated, and the
 * order's generation status should say so instead of "generating" forever.
 */
export async function failUnfinishedVariants(db: Queryable, orderId: string, reason: string): Promise<number> {
  const { rowCount } = await db.query(
    `update public.song_variants set generation_status = 'failed', last_error = $2, updated_at = now()
     where order_id = $1 and generation_status in ('pending', 'generating')`,
    [orderId, reason],
  );
  return rowCount ?? 0;
}
