'use client';

import { useEffect, useState } from 'react';
import type { OrderView } from '../../../delivery/order-view';
import { readApiError } from '../../client/api-error';

type Variant = OrderView['variants'][number];

/**
 * Sharing the favourite: its `/s/:token` link, Copy link (Clipboard API),
 * Share… (Web Share API, where the browser has it), a new link (the old one
 * stops working) and sharing off.
 */
export function SharePanel({ variant, onChanged }: { variant: Variant; onChanged: () => Promise<void> }) {
  const [canShare, setCanShare] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // after mount: the server has no navigator, and the first render must match it
  useEffect(() => setCanShare(typeof navigator.share === 'function'), []);

  async function change(method: 'POST' | 'DELETE', done: string) {
    setBusy(true);
    const res = await fetch(`/api/variants/${encodeURIComponent(variant.id)}/share-token`, { method });
    if (res.ok) {
      await onChanged();
      setMessage(done);
    } else setMessage((await readApiError(res)).message);
    setBusy(false);
  }
  async function copy(url: string) {
    try {
      await navigator.clipboard.writeText(url);
      setMessage('Link copied.');
    } catch {
      setMessage('Could not copy: select the link and copy it yourself.');
    }
  }

  return (
    <section className="card share-panel" aria-labelledby="share-heading" data-testid="share-panel">
      <h2 id="share-heading" style={{ margin: 0 }}>
        Share variant {variant.variantNumber}
      </h2>
      {variant.shareUrl ? (
        <>
          <p className="share-link" style={{ margin: 0 }}>
            <a href={variant.shareUrl} data-testid="share-link">
              {variant.shareUrl}
            </a>
          </p>
          <div className="actions">
            <button type="button" onClick={() => copy(variant.shareUrl!)}>
              Copy link
            </button>
            {canShare && (
              <button
                type="button"
                className="secondary"
                onClick={() => navigator.share({ title: 'A song for you', url: variant.shareUrl! }).catch(() => undefined)}
              >
                Share…
              </button>
            )}
            <button type="button" className="secondary" disabled={busy} onClick={() => change('POST', 'New link made; the old one no longer works.')}>
              New link
            </button>
            <button type="button" className="secondary" disabled={busy} onClick={() => change('DELETE', 'Sharing is off; the link no longer works.')}>
              Turn off sharing
            </button>
          </div>
        </>
      ) : (
        <div className="actions">
          <p style={{ margin: 0 }}>Sharing is off for this song.</p>
          <button type="button" disabled={busy} onClick={() => change('POST', 'Sharing is on with a new link.')}>
            Turn sharing on
          </button>
        </div>
      )}
      <p aria-live="polite" className="muted" style={{ margin: 0, minHeight: '1.5em' }}>
        {message}
      </p>
    </section>
  );
}
