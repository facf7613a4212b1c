import type { OrderStatus } from './orders';
import type { Queryable } from './pool';
import type { VariantStatus } from './song-variants';
import { isUuid } from '../validation/uuid';

export interface OrderWithVariants {
  id: string;
  status: OrderStatus;
  occasionDate: string;
  createdAt: Date;
  variants: {
    id: string;
    variantNumber: number;
    status: VariantStatus;
    durationMs: number | null;
    storagePath: string | null;
    shareToken: string;
    sharingEnabled: boolean;
  }[];
}

const SELECT = `
  select o.id, o.status, o.occasion_date as "occasionDate", o.created_at as "createdAt",
    coalesce((
      select json_agg(json_build_object(
        'id', v.id, 'variantNumber', v.variant_number, 'status', v.generation_status, 'durationMs', v.duration_ms,
        'storagePath', v.storage_path, 'shareToken', v.share_token, 'sharingEnabled', v.sharing_enabled)
        order by v.variant_number)
      from public.song_variants v where v.order_id = o.id
    ), '[]'::json) as variants
  from public.orders o`;

/**
 * Orders with their variants. Run it under RLS (`withUserTransaction`): the
 * policies, not this query, restrict the rows to the caller's own.
 * @param orderId one order, or every visible order newest first when omitted.
 */
export async function selectOrdersWithVariants(db: Queryable, orderId?: string): Promise<OrderWithVariants[]> {
  const { rows } = orderId
    ? await db.query<OrderWithVariants>(`${SELECT} where o.id = $1`, [orderId])
    : await db.query<OrderWithVariants>(`${SELECT} order by o.created_at desc, o.id limit 100`);
  return rows;
}

export interface SharedSongRow {
  variantNumber: number;
  durationMs: number;
  occasion: string;
  recipientName: string;
  storagePath: string;
}

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
