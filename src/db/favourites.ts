import type { Queryable } from './pool';
import type { Column } from './rows';
import type { VariantKey } from './song-variants';

export type FavouriteOutcome = 'chosen' | 'no-such-order' | 'not-complete';

/**
 * Makes variant `variantNumber` the order's one favourite (`selected`),
 * clearing any other. Run it under RLS as the owner (`withUserTransaction`):
 * the writes go through the owner's column grant on `selected` and the
 * UPDATE policy, which also refuses to select an incomplete variant.
 *
 * The order's variant rows are locked first, so two concurrent choices run
 * one after the other (the last one wins) instead of both clearing and then
 * colliding on the one-selected-per-order index.
 * @returns `no-such-order` when the caller sees no variants of that order
 *   (missing, another user's, or not generating yet); `not-complete` when that
 *   variant is missing or not complete (nothing changes).
 */
export async function chooseFavouriteVariant(db: Queryable, { orderId, variantNumber }: VariantKey): Promise<FavouriteOutcome> {
  const { rows } = await db.query<{
    variant_number: Column<'song_variants', 'variant_number'>;
    generation_status: Column<'song_variants', 'generation_status'>;
  }>(`select variant_number, generation_status from public.song_variants where order_id = $1 order by variant_number for update`, [orderId]);
  if (rows.length === 0) return 'no-such-order';
  if (!rows.some((r) => r.variant_number === variantNumber && r.generation_status === 'complete')) return 'not-complete';
  await db.query(`update public.song_variants set selected = false where order_id = $1 and selected and variant_number <> $2`, [orderId, variantNumber]);
  await db.query(`update public.song_variants set selected = true where order_id = $1 and variant_number = $2 and not selected`, [orderId, variantNumber]);
  return 'chosen';
}
