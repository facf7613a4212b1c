import type { VariantStatus } from '../db/song-variants';

export type GenerationStatus = 'queued' | 'generating' | 'complete' | 'partial' | 'failed';

/**
 * Derives an order's generation status from its variants' statuses.
 *
 * - no variants yet, or all pending: `queued`
 * - any variant pending or generating (and some started): `generating`
 * - all complete: `complete`
 * - every variant settled, some complete, some failed: `partial` (2 of 3 is a
 *   delivered order, not a failed one)
 * - every variant failed: `failed`
 */
export function deriveGenerationStatus(statuses: readonly VariantStatus[]): GenerationStatus {
  if (statuses.length === 0 || statuses.every((s) => s === 'pending')) return 'queued';
  if (statuses.some((s) => s === 'pending' || s === 'generating')) return 'generating';
  if (statuses.every((s) => s === 'complete')) return 'complete';
  if (statuses.some((s) => s === 'complete')) return 'partial';
  return 'failed';
}
