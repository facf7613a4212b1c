'use client';

import { useEffect, useState } from 'react';
import { describeEta } from '@/delivery/describe-eta';
import { formatDuration } from '@/delivery/format-duration';
import type { OrderView } from '@/delivery/order-view';
import { readAccessToken } from '@/app/access-token';

const SETTLED = new Set(['complete', 'partial', 'failed']);

/** What the customer reads for the API's error codes (README "Error codes"). */
const ERROR_TEXT: Record<string, string> = {
  not_found: 'Order not found.',
  token_expired: 'Your session has expired: sign in again.',
  unauthorized: 'Sign in to see this order.',
};

const STATUS_TEXT: Record<string, string> = {
  queued: 'Queued: generation starts in a moment',
  generating: 'Generating your songs…',
  complete: 'All three songs are ready',
  partial: 'Some songs are ready; we are looking into the rest',
  failed: 'Generation failed; our team has been notified',
};

export function OrderProgress({ orderId }: { orderId: string }) {
  const [order, setOrder] = useState<OrderView | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const token = readAccessToken();
    if (!token) {
      setError('Sign in to see this order.');
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const load = async () => {
      const res = await fetch(`/api/orders/${encodeURIComponent(orderId)}`, {
        headers: { authorization: `Bearer ${token}` },
        cache: 'no-store',
      });
      if (stopped) return;
      if (!res.ok) {
        const { error: failure } = (await res.json().catch(() => ({}))) as { error?: { code?: string } };
        setError(ERROR_TEXT[failure?.code ?? ''] ?? 'Could not load the order.');
        return;
      }
      const view = (await res.json()) as OrderView;
      setOrder(view);
      if (!SETTLED.has(view.generationStatus)) timer = setTimeout(load, 2000);
    };
    load().catch(() => setError('Could not load the order.'));
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [orderId]);

  if (error) return <p role="alert">{error}</p>;
  if (!order) return <p className="muted">Loading your order…</p>;
  const done = order.variants.filter((v) => v.status === 'complete').length;
  // Re-rendered on every poll, so the words follow both the clock and the queue.
  const eta = describeEta(order.estimatedReadyAt, order.queuePosition, Date.now());
  const total = Math.max(order.variants.length, 3);
  return (
    <>
      <h1>Your song</h1>
      <p data-testid="generation-status" data-status={order.generationStatus}>
        {STATUS_TEXT[order.generationStatus]} <span className="muted">({done} of {total})</span>
      </p>
      {eta && (
        <p className="muted" data-testid="eta">
          {eta[0]!.toUpperCase() + eta.slice(1)}
        </p>
      )}
      <div className="progress" aria-hidden>
        <div style={{ width: `${(done / total) * 100}%` }} />
      </div>
      {order.variants.map((v) => (
        <section className="card" key={v.variantNumber} data-testid={`variant-${v.variantNumber}`}>
          <div className="variant-head">
            <strong>
              Variant {v.variantNumber}
              {v.durationMs ? <span className="muted"> · {formatDuration(v.durationMs)}</span> : null}
            </strong>
            <span className={`badge ${v.status}`}>{v.status}</span>
          </div>
          {v.audioUrl && <audio controls preload="metadata" src={v.audioUrl} />}
          {v.shareUrl && (
            <p>
              <a href={v.shareUrl}>Share link</a>
            </p>
          )}
        </section>
      ))}
    </>
  );
}
