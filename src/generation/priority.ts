import { getPaidRank } from '../db/order-rank';
import type { Queryable } from '../db/pool';

/** 2000-01-01, UTC: day 0 of the priority scale. */
const EPOCH_MS = Date.UTC(2000, 0, 1);
const DAY_MS = 86_400_000;
/** Low bits of the priority: the rank among same-date orders by payment. */
const RANK_BITS = 16;
const MAX_RANK = 2 ** RANK_BITS - 1;
/** DBOS priorities are 0 … 2,147,483,647 (int4): days fit in the remaining 15 bits, up to 2089. */
const MAX_DAY = 2 ** (31 - RANK_BITS) - 1;

/**
 * The provider-queue priority of an order's work: earliest occasion first
 * (earliest-deadline-first minimises missed occasions when the queue is longer
 * than the time left; see the README's capacity section), then first paid.
 *
 * `day · 2^16 + rank`: the occasion date's day number since 2000-01-01, then
 * the order's rank among same-date orders by payment time. Both are facts of
 * the order, so the value is the same whenever it is computed (the order
 * workflow, a manual retry weeks later) and needs no clock: a date already past
 * is smaller than today's or any future date's, so it is always the most
 * urgent. The rank is needed because order workflows run concurrently and start
 * their variants in no fixed order, so DBOS's own tie-break (creation time)
 * would not follow payment order. Past rank 65,535 on one date, creation time
 * breaks the tie.
 * @param occasionDate `YYYY-MM-DD`; null (never for a paid order) counts as most urgent.
 * @param paidRank 0 for the first order paid for that date.
 * @returns an integer in 0 … 2,147,483,647 for DBOS's `priority` (lower first).
 * @throws Error for a date that is not `YYYY-MM-DD`.
 */
export function occasionPriority(occasionDate: string | null, paidRank: number): number {
  const rank = Math.min(MAX_RANK, Math.max(0, paidRank));
  if (!occasionDate) return rank;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(occasionDate);
  if (!match) throw new Error(`occasion date must be YYYY-MM-DD, got ${JSON.stringify(occasionDate)}`);
  const day = Math.floor((Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) - EPOCH_MS) / DAY_MS);
  return Math.min(MAX_DAY, Math.max(0, day)) * 2 ** RANK_BITS + rank;
}

/**
 * The priority of a paid order's provider work (`occasionPriority` of its date
 * and its rank by payment). Stable: a manual retry computes the same value.
 */
export async function orderPriority(db: Queryable, order: { id: string; occasionDate: string | null }): Promise<number> {
  return occasionPriority(order.occasionDate, (await getPaidRank(db, order.id)) ?? 0);
}
