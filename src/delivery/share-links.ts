import { disableSharing, rotateShareToken, selectVisibleVariant } from '../db/share-links';
import { type JwtClaims, withTransaction, withUserTransaction } from '../db/pool';
import { NotFoundError } from '../errors';
import { isUuid } from '../validation/uuid';
import type { DeliveryDeps } from './order-view';

/**
 * Checks under RLS that the caller owns the variant. Owners may not write
 * share tokens themselves (their only column grant is `selected`), so the
 * change itself is made by the server after this check.
 * @throws NotFoundError (404) for a malformed id, a missing variant or another user's.
 */
async function assertOwnVariant(deps: DeliveryDeps, claims: JwtClaims, variantId: string): Promise<void> {
  if (!isUuid(variantId)) throw new NotFoundError('variant not found');
  const visible = await withUserTransaction(deps.db, claims, (tx) => selectVisibleVariant(tx, variantId));
  if (!visible) throw new NotFoundError('variant not found');
}

/**
 * `POST /api/variants/:id/share-token`: a new share token (122 random bits);
 * the old link answers 404 from now on.
 * @returns the new share URL.
 * @throws NotFoundError (404) as `assertOwnVariant`, also when the variant goes between the check and the write.
 */
export async function rotateVariantShareLink(deps: DeliveryDeps, claims: JwtClaims, variantId: string): Promise<{ shareUrl: string }> {
  await assertOwnVariant(deps, claims, variantId);
  const token = await withTransaction(deps.db, (tx) => rotateShareToken(tx, { variantId, userId: claims.sub }));
  if (!token) throw new NotFoundError('variant not found');
  return { shareUrl: `${deps.appUrl}/s/${token}` };
}

/**
 * `DELETE /api/variants/:id/share-token`: sharing off; the link answers 404 until rotated.
 * @throws NotFoundError (404) as `rotateVariantShareLink`.
 */
export async function disableVariantSharing(deps: DeliveryDeps, claims: JwtClaims, variantId: string): Promise<{ sharingEnabled: false }> {
  await assertOwnVariant(deps, claims, variantId);
  if (!(await withTransaction(deps.db, (tx) => disableSharing(tx, { variantId, userId: claims.sub })))) throw new NotFoundError('variant not found');
  return { sharingEnabled: false };
}
