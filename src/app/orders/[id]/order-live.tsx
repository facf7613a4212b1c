'use client';

import { useEffect, useState } from 'react';
import type { OrderView } from '../../../delivery/order-view';
import { describeEta } from '../../../delivery/describe-eta';
import { formatOccasionDate, orderStatusText } from '../../../delivery/order-status-text';
import { readApiError } from '../../client/api-error';
import { VariantDeck } from './variant-deck';

const WAITING_FOR_PAYMENT = new Set(['pending_payment', 'awaiting_payment']);
const SETTLED_GENERATION = new Set(['complete', 'partial', 'failed']);
const POLL_MS = 2000;

/** Still changing by itself: a payment that may clear, or generation under way. */
const isLive = (o: OrderView) => WAITING_FOR_PAYMENT.has(o.status) || (o.status === 'paid' && !SETTLED_GENERATION.has(o.generationStatus));

/**
 * Keeps a variant's signed audio URL once it has one: every poll mints a new
 * URL, and swapping the src would restart a song that is playing.
 */
function keepAudio(prev: OrderView, next: OrderView): OrderView {
  return {
    ...next,
    variants: next.variants.map((v) => {
      const old = prev.variants.find((p) => p.variantNumber === v.variantNumber);
      return old?.audioUrl && v.audioUrl ? { ...v, audioUrl: old.audioUrl } : v;
    }),
  };
}

/** Live progress, then the swipeable variants; polls while the order is still changing. */
export function OrderLive({ initial }: { initial: OrderView }) {
  const [order, setOrder] = useState<OrderView>(initial);
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
        const next = (await res.json()) as OrderView;
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
  // after mount only: the server's clock and the browser's differ, and the first render must match
  const eta = paid && live && now !== null ? describeEta(order.estimatedReadyAt, order.queuePosition, now) : null;
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
      {WAITING_FOR_PAYMENT.has(order.status) && <p className="notice">Your songs start as soon as the payment clears. This page updates by itself.</p>}
      {loadError && <p className="alert">{loadError}</p>}
      {paid && <VariantDeck order={order} onOrder={(next) => setOrder((prev) => keepAudio(prev, next))} />}
    </>
  );
}
