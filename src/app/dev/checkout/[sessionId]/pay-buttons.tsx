'use client';

import { useState } from 'react';
import { readApiError } from '../../../client/api-error';

export function PayButtons({ sessionId }: { sessionId: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const pay = async (method: 'card' | 'delayed' | 'promotion_code_100') => {
    setBusy(true);
    setError(null);
    const res = await fetch(`/api/dev/checkout/${encodeURIComponent(sessionId)}`, {
      method: 'POST',
      // Only the session's owner may pay it (the session cookie says who); the API answers 404 to anyone else.
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ method }),
    });
    if (res.ok) window.location.assign(((await res.json()) as { redirectUrl: string }).redirectUrl);
    else {
      setError(res.status === 404 ? 'Sign in as the person who started this checkout to pay it.' : (await readApiError(res)).message);
      setBusy(false);
    }
  };
  return (
    <div>
      <p>
        <button type="button" disabled={busy} onClick={() => pay('card')}>
          Pay
        </button>{' '}
        <button type="button" disabled={busy} onClick={() => pay('delayed')}>
          Pay with a delayed method
        </button>{' '}
        <button type="button" disabled={busy} onClick={() => pay('promotion_code_100')}>
          Pay with a 100% code
        </button>
      </p>
      {error && <p role="alert">{error}</p>}
    </div>
  );
}
