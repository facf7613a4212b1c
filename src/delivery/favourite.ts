import { z } from 'zod';
import { chooseFavouriteVariant } from '../db/favourites';
import { type JwtClaims, withUserTransaction } from '../db/pool';
import { ConflictError, NotFoundError } from '../errors';
import { parseInput } from '../validation/parse-input';
import { isUuid } from '../validation/uuid';
import { getOrderView, type DeliveryDeps, type OrderView } from './order-view';

export const favouriteBodySchema = z.strictObject({ variantNumber: z.number().int().min(1).max(5) });

/**
 * `PUT /api/orders/:id/favourite {variantNumber}`: the owner's choice of one
 * complete variant; choosing another moves it (at most one per order). Written
 * under RLS through the owner's column grant on `song_variants.selected`.
 * @returns the order as `GET /api/orders/:id` shows it afterwards.
 * @throws ValidationError (400) for a bad body; NotFoundError (404) for a
 *   malformed id, a missing order or another user's; ConflictError (409) when
 *   that variant is not complete.
 */
export async function chooseFavourite(deps: DeliveryDeps, claims: JwtClaims, orderId: string, body: unknown): Promise<OrderView> {
  if (!isUuid(orderId)) throw new NotFoundError('order not found');
  const { variantNumber } = parseInput(favouriteBodySchema, body, 'invalid favourite');
  const outcome = await withUserTransaction(deps.db, claims, (tx) => chooseFavouriteVariant(tx, { orderId, variantNumber }));
  if (outcome === 'no-such-order') throw new NotFoundError('order not found');
  if (outcome === 'not-complete') throw new ConflictError(`variant ${variantNumber} is not ready to be chosen`);
  return getOrderView(deps, claims, orderId);
}
