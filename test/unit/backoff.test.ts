import { describe, expect, it } from 'vitest';
import { fullJitterDelayMs } from '../../src/generation/backoff';

describe('fullJitterDelayMs', () => {
  const policy = { baseMs: 1000, capMs: 10_000 };
  it('grows the ceiling exponentially up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => fullJitterDelayMs(policy, n, 0.999999))).toEqual([999, 1999, 3999, 7999, 9999, 9999]);
  });
  it('spreads waits over the whole range', () => {
    expect(fullJitterDelayMs(policy, 3, 0)).toBe(0);
    expect(fullJitterDelayMs(policy, 3, 0.5)).toBe(2000);
  });
});
