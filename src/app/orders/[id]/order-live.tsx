'use client';

import { useEffect, useState } from 'react';
import type { OrderView } from '../../../delivery/order-view';
import { formatOccasionDate, orderStatusText } from '../../../delivery/order-status-text';
import { readApiError } from '../../client/api-error';
import { VariantDeck } from './variant-deck';

/** Fields the order API may add (estimated time, place in the queue); shown when present. */
type LiveOrder = OrderView & { estimatedReadyAt?: string | null; queuePosition?: number | null };

const WAITING_FOR_PAYMENT = new Set(['pending_payment', 'awaiting_payment']);
const SETTLED_GENERATION = new Set(['complete', 'partial', 'failed']);
const POLL_MS = 2000;

/** Still changing by itself: a payment that may clear, or generation under way. */
const isLive = (o: OrderView) => WAITING_FOR_PAYMENT.has(o.status) || (o.status === 'paid' && !SETTLED_GENERATION.has(o.generationStatus));

/**
 * Keeps a variant's signed audio URL once it has one: every poll mints a new
 * URL, and swapping the src would restart a song that is playing.
 */
function keepAudio(prev: LiveOrder, next: LiveOrder): LiveOrder {
  return {
    ...next,
    variants: next.variants.map((v) => {
      const old = prev.variants.find((p) => p.variantNumber === v.variantNumber);
      return old?.audioUrl && v.audioUrl ? { ...v, audioUrl: old.audioUrl } : v;
    }),
  };
}

function etaText(order: LiveOrder, now: number | null): string | null {
  const parts: string[] = [];
  if (order.queuePosition) parts.push(`${order.queuePosition === 1 ? 'next in the queue' : `number ${order.queuePosition} in the queue`}`);
  if (order.estimatedReadyAt && now !== null) {
    const minutes = Math.max(1, Math.round((Date.parse(order.estimatedReadyAt) - now) / 60_000));
    parts.push(`ready in about ${minutes} minute${minutes === 1 ? '' : 's'}`);
  }
  return parts.length ? parts.join(', ') : null;
}

/** Live progress, then the swipeable variants; polls while the order is still changing. */
export function OrderLive({ initial }: { initial: LiveOrder }) {
  const [order, setOrder] = useState<LiveOrder>(initial);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [now, setNow] = useState<number | null>(null);
  const live = isLive(order);

  useEffect(() => {
    setNow(Date.now());
    if (!live) return;
    let stopped = false;
    const timer = setTimeout(async () => {
      try {
        const res = await fetch(`/api/orders/${encodeURIComponent(order.id)}`, { cache: 'no-store' });
        if (stopped) return;
        if (!res.ok) {
          setLoadError(res.status === 401 ? 'Your session has expired: sign in again to see updates.' : (await readApiError(res)).message);
          return;
        }
        const next = (await res.json()) as LiveOrder;
        setLoadError(null);
        setOrder((prev) => keepAudio(prev, next));
      } catch {
        if (!stopped) setLoadError('Lost the connection; retrying…');
        setOrder((prev) => ({ ...prev })); // schedules the next poll
      }
    }, POLL_MS);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [order, live]);

  const done = order.variants.filter((v) => v.status === 'complete').length;
  const paid = order.status === 'paid';
  const eta = paid && live ? etaText(order, now) : null;
  return (
    <>
      <h1>
        {order.occasion} for {order.recipientName}
      </h1>
      <p className="muted">{formatOccasionDate(order.occasionDate)}</p>
      <div aria-live="polite" aria-atomic="true">
        <p data-testid="order-status" data-status={order.status} data-generation={order.generationStatus}>
          <strong>{orderStatusText(order)}</strong>
          {eta && <span data-testid="eta"> · {eta}</span>}
        </p>
      </div>
      <div className="progress" role="progressbar" aria-label="Songs ready" aria-valuemin={0} aria-valuemax={3} aria-valuenow={done}>
        <div style={{ width: `${(done / 3) * 100}%` }} />
      </div>
      {WAITING_FOR_PAYMENT.has(order.status) && (
        <p className="notice">Your songs start as soon as the payment clears. This page updates by itself.</p>
      )}
      {loadError && <p className="alert">{loadError}</p>}
      {paid && <VariantDeck order={order} onOrder={(next) => setOrder((prev) => keepAudio(prev, next))} />}
    </>
  );
}
