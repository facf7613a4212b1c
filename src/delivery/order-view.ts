import { isFulfillable, type OrderStatus } from '../db/orders';
import { type OrderWithVariants, selectOrdersWithVariants } from '../db/order-reads';
import { type Db, type JwtClaims, withUserTransaction } from '../db/pool';
import type { VariantStatus } from '../db/song-variants';
import { NotFoundError } from '../errors';
import { type CapacitySnapshot, estimateOrderReady, readCapacitySnapshot } from '../generation/capacity';
import { isUuid } from '../validation/uuid';
import { deriveGenerationStatus, type GenerationStatus } from '../generation/generation-status';
import { VARIANTS_PER_ORDER } from '../generation/workflow-names';
import type { Storage } from '../storage/storage';

/** Response shape of `GET /api/orders/:id` (and of each item of `GET /api/orders`). */
export interface OrderView {
  id: string;
  status: OrderStatus;
  generationStatus: GenerationStatus;
  occasionDate: string;
  /**
   * When the songs should all be ready (ISO 8601), from the live provider queue
   * and the median of recent call times; null once generation has settled, for
   * an order that is not paid, or before any call time has been measured.
   */
  estimatedReadyAt: string | null;
  /** Provider-queue items DBOS will dequeue before this order's first unfinished variant (0 when none, or once it runs); null when settled or not paid. */
  queuePosition: number | null;
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

const SETTLED: GenerationStatus[] = ['complete', 'partial', 'failed'];

/** Reads the provider queue once per request, and only if some order needs an ETA. */
function lazySnapshot(deps: DeliveryDeps): () => Promise<CapacitySnapshot> {
  let snapshot: Promise<CapacitySnapshot> | undefined;
  return () => (snapshot ??= readCapacitySnapshot(deps.db));
}

async function toView(order: OrderWithVariants, deps: DeliveryDeps, snapshot: () => Promise<CapacitySnapshot>): Promise<OrderView> {
  const generationStatus = deriveGenerationStatus(order.variants.map((v) => v.status));
  // The queue is read with the privileged pool: the caller's ownership of the order was established under RLS above.
  const eta =
    order.status === 'paid' && !SETTLED.includes(generationStatus)
      ? await estimateOrderReady(deps.db, await snapshot(), {
          id: order.id,
          occasionDate: order.occasionDate,
          unfinishedVariants: order.variants.length ? order.variants.filter((v) => v.status === 'pending' || v.status === 'generating').length : VARIANTS_PER_ORDER,
        })
      : { estimatedReadyAt: null, queuePosition: null };
  return {
    id: order.id,
    status: order.status,
    generationStatus,
    occasionDate: order.occasionDate,
    ...eta,
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
  return toView(order, deps, lazySnapshot(deps));
}

/** The caller's orders, newest first (at most 100), read under RLS. */
export async function listOrderViews(deps: DeliveryDeps, claims: JwtClaims): Promise<OrderView[]> {
  const orders = await withUserTransaction(deps.db, claims, (tx) => selectOrdersWithVariants(tx));
  const snapshot = lazySnapshot(deps);
  return Promise.all(orders.map((o) => toView(o, deps, snapshot)));
}
