import { selectSharedSong } from '../db/order-reads';
import { withAnonTransaction } from '../db/pool';
import { NotFoundError } from '../errors';
import { isUuid } from '../validation/uuid';
import type { DeliveryDeps } from './order-view';

/** Response shape of `GET /api/share/:token`. */
export interface SharedSongView {
  variantNumber: number;
  durationMs: number;
  occasion: string;
  recipientName: string;
  /** Signed URL, minted per request. */
  audioUrl: string;
}

/**
 * The one song a share token opens, read as `anon` through the
 * `get_shared_song` security-definer function (no table access at all).
 * @throws NotFoundError (404), alike for a malformed, unknown or incomplete token.
 */
export async function getSharedSong(deps: DeliveryDeps, token: string): Promise<SharedSongView> {
  if (!isUuid(token)) throw new NotFoundError('song not found');
  const song = await withAnonTransaction(deps.db, (tx) => selectSharedSong(tx, token));
  if (!song) throw new NotFoundError('song not found');
  return {
    variantNumber: song.variantNumber,
    durationMs: song.durationMs,
    occasion: song.occasion,
    recipientName: song.recipientName,
    audioUrl: await deps.storage.signedUrl(song.storagePath, deps.signedUrlTtlSeconds),
  };
}
