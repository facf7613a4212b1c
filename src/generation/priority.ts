/** 2000-01-01, UTC: day 0 of the priority scale. */
const EPOCH_MS = Date.UTC(2000, 0, 1);
const DAY_MS = 86_400_000;
/** DBOS priorities are 0 … 2,147,483,647; lower is dequeued first. */
const MAX_PRIORITY = 2_147_483_647;

/**
 * The provider-queue priority of an order's work: earliest occasion first
 * (earliest-deadline-first minimises missed occasions when the queue is longer
 * than the time left; see the README's capacity section).
 *
 * The value is the occasion date's day number since 2000-01-01, so it is the
 * same whenever it is computed (the order workflow, a manual retry weeks later)
 * and needs no clock: a date already past is smaller than today's or any future
 * date's, so it is always the most urgent. Equal dates tie, and DBOS then
 * dequeues by creation time: first paid, first served.
 * @param occasionDate `YYYY-MM-DD`; null (never for a paid order) counts as most urgent.
 * @returns an integer in 0 … 2,147,483,647 for DBOS's `priority` (lower first).
 */
export function occasionPriority(occasionDate: string | null): number {
  if (!occasionDate) return 0;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(occasionDate);
  if (!match) throw new Error(`occasion date must be YYYY-MM-DD, got ${JSON.stringify(occasionDate)}`);
  const day = Math.floor((Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) - EPOCH_MS) / DAY_MS);
  return Math.min(MAX_PRIORITY, Math.max(0, day));
}
