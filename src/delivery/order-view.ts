import { isFulfillable, type OrderStatus } from '../db/orders';
import { type OrderWithVariants, selectOrdersWithVariants } from '../db/order-reads';
import { type Db, type JwtClaims, withUserTransaction } from '../db/pool';
import type { VariantStatus } from '../db/song-variants';
import { NotFoundError } from '../errors';
import { isUuid } from '../validation/uuid';
import { deriveGenerationStatus, type GenerationStatus } from '../generation/generation-status';
import type { Storage } from '../storage/storage';

/** Response shape of `GET /api/orders/:id` (and of each item of `GET /api/orders`). */
export interface OrderView {
  id: string;
  status: OrderStatus;
  generationStatus: GenerationStatus;
  occasionDate: string;
  variants: {
    /** For `POST|DELETE /api/variants/:id/share-token`. */
    id: string;
    variantNumber: number;
    status: VariantStatus;
    durationMs: number | null;
    sharingEnabled: boolean;
    /** Signed URL, minted per request; only for complete variants. */
    audioUrl?: string;
    /** `<APP_URL>/s/<share token>`; only for complete variants with sharing on. */
    shareUrl?: string;
  }[];
}

export interface DeliveryDeps {
  db: Db;
  storage: Storage;
  /** Signed URL lifetime, s. */
  signedUrlTtlSeconds: number;
  appUrl: string;
}

async function toView(order: OrderWithVariants, deps: DeliveryDeps): Promise<OrderView> {
  return {
    id: order.id,
    status: order.status,
    generationStatus: deriveGenerationStatus(order.variants.map((v) => v.status)),
    occasionDate: order.occasionDate,
    variants: await Promise.all(
      order.variants.map(async (v) => ({
        id: v.id,
        variantNumber: v.variantNumber,
        status: v.status,
        durationMs: v.durationMs,
        sharingEnabled: v.sharingEnabled,
        ...(v.status === 'complete' && v.storagePath
          ? { audioUrl: await deps.storage.signedUrl(v.storagePath, deps.signedUrlTtlSeconds) }
          : {}),
        ...(v.status === 'complete' && v.sharingEnabled && isFulfillable(order.status)
          ? { shareUrl: `${deps.appUrl}/s/${v.shareToken}` }
          : {}),
      })),
    ),
  };
}

/**
 * One order as its owner sees it, read under RLS.
 * @throws NotFoundError (404) for a malformed id, a missing order, or another
 *   user's order: all three look the same to the caller.
 */
export async function getOrderView(deps: DeliveryDeps, claims: JwtClaims, orderId: string): Promise<OrderView> {
  if (!isUuid(orderId)) throw new NotFoundError('order not found');
  const [order] = await withUserTransaction(deps.db, claims, (tx) => selectOrdersWithVariants(tx, orderId));
  if (!order) throw new NotFoundError('order not found');
  return toView(order, deps);
}

/** The caller's orders, newest first (at most 100), read under RLS. */
export async function listOrderViews(deps: DeliveryDeps, claims: JwtClaims): Promise<OrderView[]> {
  const orders = await withUserTransaction(deps.db, claims, (tx) => selectOrdersWithVariants(tx));
  return Promise.all(orders.map((o) => toView(o, deps)));
}
