import { isFulfillable, type OrderStatus } from '../db/orders';
import { type OrderCursor, type OrderWithVariants, selectOrdersPage, selectOrderWithVariants } from '../db/order-reads';
import { type Db, type JwtClaims, withUserTransaction } from '../db/pool';
import type { VariantStatus } from '../db/song-variants';
import { NotFoundError, ValidationError } from '../errors';
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
  recipientName: string;
  occasion: string;
  /** ISO 8601. */
  createdAt: string;
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
    /** The owner's favourite (at most one per order; `PUT /api/orders/:id/favourite`). */
    selected: boolean;
    /** True while the variant is retried with a revised description (the provider refused the first one): not failed. */
    revisingPrompt: boolean;
    /** Signed URL, minted per request; only for complete variants. */
    audioUrl?: string;
    /** `<APP_URL>/s/<share token>`; only for complete variants with sharing on. */
    shareUrl?: string;
  }[];
}

/** Response shape of `GET /api/orders?cursor=…`. */
export interface OrderPage {
  orders: OrderView[];
  /** Pass as `?cursor=` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

/** Orders per page of `GET /api/orders`. */
export const ORDERS_PAGE_SIZE = 20;

export interface DeliveryDeps {
  db: Db;
  storage: Storage;
  /** Signed URL lifetime, s. */
  signedUrlTtlSeconds: number;
  appUrl: string;
  /**
   * Whether the provider queue can be read for ETAs: only on DBOS, whose queue is
   * in our database (`dbos.*`). On Inngest the queue lives in Inngest, and
   * `estimatedReadyAt`/`queuePosition` stay null. Default true.
   */
  queueEta?: boolean;
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
    deps.queueEta !== false && order.status === 'paid' && !SETTLED.includes(generationStatus)
      ? await estimateOrderReady(deps.db, await snapshot(), {
          id: order.id,
          occasionDate: order.occasionDate,
          unfinishedVariants: order.variants.length
            ? order.variants.filter((v) => v.status === 'pending' || v.status === 'generating').length
            : VARIANTS_PER_ORDER,
        })
      : { estimatedReadyAt: null, queuePosition: null };
  return {
    id: order.id,
    status: order.status,
    generationStatus,
    occasionDate: order.occasionDate,
    recipientName: order.recipientName,
    occasion: order.occasion,
    createdAt: new Date(order.createdAt).toISOString(),
    ...eta,
    variants: await Promise.all(
      order.variants.map(async (v) => ({
        id: v.id,
        variantNumber: v.variantNumber,
        status: v.status,
        durationMs: v.durationMs,
        sharingEnabled: v.sharingEnabled,
        selected: v.selected,
        revisingPrompt: v.revisingPrompt,
        ...(v.status === 'complete' && v.storagePath ? { audioUrl: await deps.storage.signedUrl(v.storagePath, deps.signedUrlTtlSeconds) } : {}),
        ...(v.status === 'complete' && v.sharingEnabled && isFulfillable(order.status) ? { shareUrl: `${deps.appUrl}/s/${v.shareToken}` } : {}),
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
  const order = await withUserTransaction(deps.db, claims, (tx) => selectOrderWithVariants(tx, orderId));
  if (!order) throw new NotFoundError('order not found');
  return toView(order, deps, lazySnapshot(deps));
}

const encodeCursor = (c: OrderCursor) => Buffer.from(JSON.stringify([c.createdAt, c.id])).toString('base64url');

function decodeCursor(cursor: string): OrderCursor {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof createdAt === 'string' && !Number.isNaN(Date.parse(createdAt)) && typeof id === 'string' && isUuid(id)) return { createdAt, id };
  } catch {
    // falls through to the 400
  }
  throw new ValidationError('invalid cursor', { cursor: ['is not a cursor from a previous page'] });
}

/**
 * A page of the caller's orders, newest first, read under RLS.
 * @param cursor `nextCursor` of the previous page; null or undefined for the first.
 * @throws ValidationError (400) for a cursor this API did not hand out.
 */
export async function listOrderViews(deps: DeliveryDeps, claims: JwtClaims, cursor?: string | null, limit = ORDERS_PAGE_SIZE): Promise<OrderPage> {
  const after = cursor ? decodeCursor(cursor) : undefined;
  // one extra row says whether another page follows
  const rows = await withUserTransaction(deps.db, claims, (tx) => selectOrdersPage(tx, { after, limit: limit + 1 }));
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const snapshot = lazySnapshot(deps);
  return {
    orders: await Promise.all(page.map((o) => toView(o, deps, snapshot))),
    nextCursor: rows.length > limit && last ? encodeCursor({ createdAt: last.cursorAt, id: last.id }) : null,
  };
}
