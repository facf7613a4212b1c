/**
 * Queue arithmetic for honest ETAs: list scheduling of provider-queue items on
 * the queue's slots, every item taking the measured median call time. Pure; the
 * inputs come from the live queue (./capacity.ts).
 */

export interface SlotForecastInput {
  /** Provider slots (the queue's global concurrency), ≥ 1. */
  concurrency: number;
  /** Median duration of recent successful provider calls, ms. */
  medianCallMs: number;
  /** For each item running now (holding a slot), how long it has run, ms. */
  runningElapsedMs: number[];
  /** Indexes into `runningElapsedMs` of the items whose finish we want. */
  watchedRunning?: number[];
  /** Queued items served before the watched ones (priority order). */
  queuedAhead: number;
  /** Queued items we want the finish of, served after `queuedAhead`. */
  watchedQueued: number;
}

/**
 * When the last watched item will finish, in ms from now: each running item
 * ends when it reaches the median (at once if it already has), then every
 * queued item takes the slot that frees first, in queue order, and holds it
 * for the median. Items running beyond `concurrency` (a dead worker's, until
 * they are recovered) are counted as holding no slot.
 * @returns ms from now (0 when nothing watched is left), or 0 for no watched items.
 */
export function forecastFinishMs(input: SlotForecastInput): number {
  const { concurrency, medianCallMs } = input;
  const slots = Math.max(1, concurrency);
  const remaining = input.runningElapsedMs.map((elapsed) => Math.max(0, medianCallMs - elapsed));
  const watched = new Set(input.watchedRunning ?? []);
  let last = 0;
  for (const i of watched) last = Math.max(last, remaining[i] ?? 0);
  // Free times of the slots, ascending: the running items' ends, padded with "free now".
  const free = [...remaining].sort((a, b) => a - b).slice(0, slots);
  while (free.length < slots) free.unshift(0);
  const take = (): number => {
    const t = free.shift()!;
    const end = t + medianCallMs;
    // keep `free` sorted: insert `end` in place (slots are few, a linear scan is enough)
    let i = free.findIndex((x) => x > end);
    if (i < 0) i = free.length;
    free.splice(i, 0, end);
    return end;
  };
  // The items ahead only matter through the slots they leave: skip whole rounds at once.
  const rounds = Math.floor(input.queuedAhead / slots);
  if (rounds > 0) for (let i = 0; i < free.length; i++) free[i]! += rounds * medianCallMs;
  for (let i = 0; i < input.queuedAhead % slots; i++) take();
  for (let i = 0; i < input.watchedQueued; i++) last = Math.max(last, take());
  return last;
}
