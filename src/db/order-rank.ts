import type { Queryable } from './pool';

/**
 * An order's rank among the paid orders for the same occasion date, by when
 * they were paid (0 = paid first; `orders.paid_at`, set once by trigger). It
 * never changes once the order is paid: every later payment has a later time.
 * @returns undefined for an unknown or never-paid order.
 */
export async function getPaidRank(db: Queryable, orderId: string): Promise<number | undefined> {
  const { rows } = await db.query<{ rank: number }>(
    `select (select count(*)::int from public.orders e
             where e.occasion_date = o.occasion_date and e.paid_at is not null
               and (e.paid_at, e.id) < (o.paid_at, o.id)) as rank
     from public.orders o where o.id = $1 and o.paid_at is not null`,
    [orderId],
  );
  return rows[0]?.rank;
}
