'use client';

import { type KeyboardEvent, type PointerEvent, useRef, useState } from 'react';
import { formatDuration } from '../../../delivery/format-duration';
import type { OrderView } from '../../../delivery/order-view';
import { readApiError } from '../../client/api-error';
import { SharePanel } from './share-panel';

const CARDS = 3;
/** Horizontal travel, px, that turns a drag into a swipe. */
const SWIPE_PX = 50;

const STATUS_LABEL: Record<string, string> = { pending: 'Waiting', generating: 'Composing…', complete: 'Ready', failed: 'Failed' };

/**
 * The three variants as swipeable cards: pointer swipe (touch, pen or mouse),
 * arrow keys on the deck, and Previous/Next buttons. Off-screen cards are
 * inert, so Tab never lands on a control you cannot see. Every card keeps the
 * same size whatever its state, so nothing shifts when a variant completes.
 */
export function VariantDeck({ order, onOrder }: { order: OrderView; onOrder: (next: OrderView) => void }) {
  const [index, setIndex] = useState(0);
  const [dragPx, setDragPx] = useState(0);
  const [choosing, setChoosing] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const drag = useRef<{ x: number; y: number; id: number; active: boolean } | null>(null);

  const go = (to: number) => setIndex(Math.min(CARDS - 1, Math.max(0, to)));
  const cards = Array.from({ length: CARDS }, (_, i) => order.variants.find((v) => v.variantNumber === i + 1));
  const favourite = order.variants.find((v) => v.selected);

  function onPointerDown(e: PointerEvent<HTMLDivElement>) {
    // the player's own controls and the buttons keep their gestures
    if ((e.target as HTMLElement).closest('audio, button, a, input')) return;
    drag.current = { x: e.clientX, y: e.clientY, id: e.pointerId, active: false };
  }
  function onPointerMove(e: PointerEvent<HTMLDivElement>) {
    const d = drag.current;
    if (!d || d.id !== e.pointerId) return;
    const dx = e.clientX - d.x;
    if (!d.active && Math.abs(dx) > 8 && Math.abs(dx) > Math.abs(e.clientY - d.y)) {
      d.active = true;
      e.currentTarget.setPointerCapture(e.pointerId);
    }
    if (d.active) setDragPx(dx);
  }
  function onPointerEnd(e: PointerEvent<HTMLDivElement>) {
    const d = drag.current;
    drag.current = null;
    if (!d?.active) return;
    const dx = e.clientX - d.x;
    setDragPx(0);
    if (dx <= -SWIPE_PX) go(index + 1);
    else if (dx >= SWIPE_PX) go(index - 1);
  }
  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    if (e.key === 'ArrowRight') go(index + 1);
    else if (e.key === 'ArrowLeft') go(index - 1);
    else return;
    e.preventDefault();
  }

  async function choose(variantNumber: number) {
    setChoosing(variantNumber);
    setError(null);
    try {
      const res = await fetch(`/api/orders/${encodeURIComponent(order.id)}/favourite`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ variantNumber }),
      });
      if (res.ok) onOrder((await res.json()) as OrderView);
      else setError((await readApiError(res)).message);
    } catch {
      setError('Could not save your choice. Check your connection and try again.');
    } finally {
      setChoosing(null);
    }
  }

  return (
    <section aria-labelledby="variants-heading">
      <h2 id="variants-heading">Your three versions</h2>
      <p className="muted">Swipe, use the arrow keys or the buttons to move between them.</p>
      <div className="deck-controls">
        <button type="button" className="secondary" onClick={() => go(index - 1)} disabled={index === 0} aria-label="Previous variant">
          ‹ Previous
        </button>
        <span className="position" aria-live="polite" data-testid="deck-position">
          {index + 1} of {CARDS}
        </span>
        <button type="button" className="secondary" onClick={() => go(index + 1)} disabled={index === CARDS - 1} aria-label="Next variant">
          Next ›
        </button>
      </div>
      <section
        className="deck"
        aria-roledescription="carousel"
        aria-label="Song variants (left and right arrow keys move between them)"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: the carousel takes arrow keys (WAI-ARIA carousel pattern), so it must be focusable
        tabIndex={0}
        onKeyDown={onKeyDown}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerEnd}
        onPointerCancel={onPointerEnd}
        data-testid="deck"
      >
        <div className={`deck-track${dragPx ? ' dragging' : ''}`} style={{ transform: `translateX(calc(${-index * 100}% + ${dragPx}px))` }}>
          {cards.map((v, i) => {
            const n = i + 1;
            const shown = i === index;
            return (
              <article
                key={n}
                className={`variant-card${v?.selected ? ' chosen' : ''}`}
                aria-roledescription="slide"
                aria-label={`Variant ${n} of ${CARDS}`}
                aria-hidden={!shown}
                inert={!shown}
                data-testid={`variant-${n}`}
                data-status={v?.status ?? 'pending'}
              >
                <div className="variant-head">
                  <h3 style={{ margin: 0 }}>Variant {n}</h3>
                  {v?.selected ? (
                    <span className="badge favourite">Your favourite</span>
                  ) : (
                    <span className={`badge ${v?.status ?? 'pending'}`}>
                      {v?.revisingPrompt ? "We're adjusting your song's description" : STATUS_LABEL[v?.status ?? 'pending']}
                    </span>
                  )}
                </div>
                <div className="variant-body">
                  {v?.audioUrl ? (
                    <audio controls preload="metadata" src={v.audioUrl} aria-label={`Variant ${n}`} data-testid={`audio-${n}`} />
                  ) : (
                    <div aria-hidden className="progress" style={{ margin: '2.2rem 0 1.45rem' }}>
                      <div style={{ width: v?.status === 'generating' ? '50%' : '0%' }} />
                    </div>
                  )}
                  <p>Length: {v?.durationMs ? formatDuration(v.durationMs) : '–'}</p>
                </div>
                <button
                  type="button"
                  onClick={() => choose(n)}
                  disabled={v?.status !== 'complete' || choosing !== null || v.selected}
                  aria-pressed={v?.selected ?? false}
                >
                  {v?.selected ? 'Chosen' : choosing === n ? 'Saving…' : 'Choose this one'}
                </button>
              </article>
            );
          })}
        </div>
      </section>
      <div role="alert">{error && <p className="alert">{error}</p>}</div>
      {favourite && <SharePanel key={favourite.id} variant={favourite} onChanged={() => refresh(order.id, onOrder)} />}
    </section>
  );
}

async function refresh(orderId: string, onOrder: (next: OrderView) => void): Promise<void> {
  const res = await fetch(`/api/orders/${encodeURIComponent(orderId)}`, { cache: 'no-store' });
  if (res.ok) onOrder((await res.json()) as OrderView);
}
