/** How long to wait between attempts at one variant (ms). */
export interface BackoffPolicy {
  /** First retry's upper bound, ms. */
  baseMs: number;
  /** No wait is ever longer, ms. */
  capMs: number;
}

/**
 * "Full jitter" exponential backoff (AWS Architecture Blog, "Exponential Backoff
 * And Jitter"): a uniformly random wait in [0, min(cap, base · 2^(n-1))] before
 * retry n. Spreading retries out matters here: many workflows hit the same
 * provider limit at once.
 * @param retry 1 for the first retry.
 * @param random a number in [0, 1); injected so the workflow can checkpoint it.
 */
export function fullJitterDelayMs(policy: BackoffPolicy, retry: number, random: number): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random * ceiling);
}
