import { describe, expect, it } from 'vitest';
import { describeEta } from '../../src/delivery/describe-eta';
import { forecastFinishMs } from '../../src/generation/eta';

const now = Date.parse('2026-12-01T12:00:00Z');
const at = (minutes: number) => new Date(now + minutes * 60_000).toISOString();

describe('describeEta', () => {
  it('says when and how many songs are ahead, in words', () => {
    expect(describeEta(at(14), 9, now)).toBe('ready in about 14 minutes; 9 songs ahead of yours');
    expect(describeEta(at(1.2), 1, now)).toBe('ready in about 1 minute; 1 song ahead of yours');
    expect(describeEta(at(0.4), 0, now)).toBe('ready in less than a minute; none ahead of yours');
    expect(describeEta(at(200), 120, now)).toBe('ready in about 3.5 hours; 120 songs ahead of yours');
    expect(describeEta(null, 4, now)).toBe('4 songs ahead of yours');
    expect(describeEta(null, null, now)).toBeNull();
  });
});

describe('forecastFinishMs', () => {
  const base = { concurrency: 2, medianCallMs: 60_000, runningElapsedMs: [] as number[], queuedAhead: 0, watchedQueued: 0 };
  it('an idle queue: three variants on three slots take one call time, on two slots two', () => {
    expect(forecastFinishMs({ ...base, concurrency: 3, watchedQueued: 3 })).toBe(60_000);
    expect(forecastFinishMs({ ...base, watchedQueued: 3 })).toBe(120_000);
  });
  it('waits for the running calls to free their slots, then for the items ahead, divided across the slots', () => {
    // slots free at 10 s and 50 s; 5 items ahead fill them until 190 s and 170 s... then ours
    const ms = forecastFinishMs({ ...base, runningElapsedMs: [50_000, 10_000], queuedAhead: 5, watchedQueued: 3 });
    // free: [10, 50] → 5 ahead: 2 rounds (+120 each → [130, 170]) then one at 130 → [170, 190];
    // ours: 170→230, 190→250, 230→290
    expect(ms).toBe(290_000);
  });
  it('a watched running item ends when it reaches the median; one past it ends now', () => {
    expect(forecastFinishMs({ ...base, runningElapsedMs: [20_000, 90_000], watchedRunning: [0] })).toBe(40_000);
    expect(forecastFinishMs({ ...base, runningElapsedMs: [90_000], watchedRunning: [0] })).toBe(0);
  });
});
