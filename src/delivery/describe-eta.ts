/**
 * An order's ETA in words for its page: "ready in about 14 minutes; 9 songs
 * ahead of yours". Pure, so the page can re-render it as time passes.
 * @param estimatedReadyAt ISO 8601 from `GET /api/orders/:id`, or null.
 * @param queuePosition provider-queue items ahead of the order, or null.
 * @param nowMs the clock to count from, ms since the epoch.
 * @returns null when there is nothing to say (a settled order).
 */
export function describeEta(estimatedReadyAt: string | null, queuePosition: number | null, nowMs: number): string | null {
  const parts: string[] = [];
  if (estimatedReadyAt) {
    const minutes = (Date.parse(estimatedReadyAt) - nowMs) / 60_000;
    if (minutes < 1) parts.push('ready in less than a minute');
    else if (minutes < 90) {
      const n = Math.round(minutes);
      parts.push(`ready in about ${n} minute${n === 1 ? '' : 's'}`);
    } else {
      const hours = Math.round(minutes / 30) / 2; // to the half hour
      parts.push(`ready in about ${hours} hours`);
    }
  }
  if (queuePosition !== null) {
    parts.push(queuePosition === 0 ? 'none ahead of yours' : `${queuePosition} song${queuePosition === 1 ? '' : 's'} ahead of yours`);
  }
  return parts.length ? parts.join('; ') : null;
}
