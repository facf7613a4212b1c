import { describe, expect, it } from 'vitest';
import { deriveGenerationStatus } from '../../src/generation/generation-status';
import type { VariantStatus } from '../../src/db/song-variants';

describe('deriveGenerationStatus', () => {
  const cases: [VariantStatus[], string][] = [
    [[], 'queued'],
    [['pending', 'pending', 'pending'], 'queued'],
    [['generating', 'pending', 'pending'], 'generating'],
    [['complete', 'pending', 'pending'], 'generating'],
    [['complete', 'failed', 'generating'], 'generating'],
    [['complete', 'complete', 'complete'], 'complete'],
    [['complete', 'complete', 'failed'], 'partial'],
    [['failed', 'complete', 'failed'], 'partial'],
    [['failed', 'failed', 'failed'], 'failed'],
  ];
  it.each(cases)('%j → %s', (statuses, expected) => {
    expect(deriveGenerationStatus(statuses)).toBe(expected);
  });
});
