import type { Queryable } from './pool';
import type { Column, Columns, Filled } from './rows';
import { isUuid } from '../validation/uuid';

/**
 * An order with its customization's names and its variants. `occasionDate` is
 * the order's, or its customization's where the order has none (`orders.occasion_date`
 * is nullable; the generated types showed it); `cursorAt` is `created_at`
 * at full (µs) precision, for the page cursor: a JS Date keeps only ms. The
 * variants arrive as JSON, so their types are the columns' JSON forms (all
 * strings, numbers and booleans here, no dates).
 */
export type OrderWithVariants = Columns<'orders', 'id' | 'status' | 'created_at'> &
  Columns<'customizations', 'recipient_name' | 'occasion' | 'occasion_date'> & {
    cursorAt: string;
    variants: (Columns<'song_variants', 'id' | 'variant_number' | 'duration_ms' | 'storage_path' | 'share_token' | 'sharing_enabled' | 'selected'> & {
      status: Column<'song_variants', 'generation_status'>;
      /** Being retried with a revised prompt (a provider suggestion or an operator's): pending or generating, prompt_source not original. */
      revisingPrompt: boolean;
    })[];
  };

const SELECT = `
  select o.id, o.status, coalesce(o.occasion_date, c.occasion_date) as "occasionDate", o.created_at as "createdAt", o.created_at::text as "cursorAt",
    c.recipient_name as "recipientName", c.occasion,
    coalesce((
      select json_agg(json_build_object(
        'id', v.id, 'variantNumber', v.variant_number, 'status', v.generation_status, 'durationMs', v.duration_ms,
        'storagePath', v.storage_path, 'shareToken', v.share_token, 'sharingEnabled', v.sharing_enabled,
        'selected', v.selected,
        'revisingPrompt', v.generation_status in ('pending', 'generating') and v.prompt_source <> 'original')
        order by v.variant_number)
      from public.song_variants v where v.order_id = o.id
    ), '[]'::json) as variants
  from public.orders o join public.customizations c on c.id = o.customization_id`;

/** Where a page of orders ends: the last order's creation time and id (newest-first order). */
export interface OrderCursor {
  createdAt: string;
  id: string;
}

/**
 * One order with its variants. Run it under RLS (`withUserTransaction`): the
 * policies, not this query, restrict the rows to the caller's own.
 */
export async function selectOrderWithVariants(db: Queryable, orderId: string): Promise<OrderWithVariants | undefined> {
  const { rows } = await db.query<OrderWithVariants>(`${SELECT} where o.id = $1`, [orderId]);
  return rows[0];
}

/**
 * A page of the visible orders, newest first (keyset pagination on
 * `(created_at, id)`, so orders created meanwhile never shift a page). Run under RLS.
 * @param after the cursor of the previous page's last order, or undefined for the first page.
 * @param limit orders per page.
 */
export async function selectOrdersPage(db: Queryable, { after, limit }: { after: OrderCursor | undefined; limit: number }): Promise<OrderWithVariants[]> {
  const { rows } = after
    ? await db.query<OrderWithVariants>(`${SELECT} where (o.created_at, o.id) < ($1::timestamptz, $2::uuid) order by o.created_at desc, o.id desc limit $3`, [
        after.createdAt,
        after.id,
        limit,
      ])
    : await db.query<OrderWithVariants>(`${SELECT} order by o.created_at desc, o.id desc limit $1`, [limit]);
  return rows;
}

/**
 * What `get_shared_song` returns for a complete variant (its duration and
 * storage path are set once complete). A SQL function's result is not in the
 * generated tables; its columns are the variant's and customization's.
 */
export type SharedSongRow = Columns<'song_variants', 'variant_number'> &
  Columns<'customizations', 'occasion' | 'recipient_name'> &
  Filled<Columns<'song_variants', 'duration_ms' | 'storage_path'>>;

/**
 * Calls `public.get_shared_song(token)`; undefined unless the token names a
 * complete variant. A token that is not a UUID is undefined too, without
 * reaching the cast (which would fail with 22P02).
 */
export async function selectSharedSong(db: Queryable, token: string): Promise<SharedSongRow | undefined> {
  if (!isUuid(token)) return undefined;
  const { rows } = await db.query<SharedSongRow>(
    `select variant_number as "variantNumber", duration_ms as "durationMs", occasion,
       recipient_name as "recipientName", storage_path as "storagePath"
     from public.get_shared_song($1::uuid)`,
    [token],
  );
  return rows[0];
}
