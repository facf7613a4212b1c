'use client';

import { useState } from 'react';
import { readAccessToken } from '@/app/access-token';

export function PayButtons({ sessionId }: { sessionId: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const pay = async (method: 'card' | 'delayed' | 'promotion_code_100') => {
    // Only the session's owner may pay it; the API answers 404 to anyone else.
    const token = readAccessToken();
    if (!token) {
      setError('Sign in to pay for this checkout.');
      return;
    }
    setBusy(true);
    setError(null);
    const res = await fetch(`/api/dev/checkout/${encodeURIComponent(sessionId)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ method }),
    });
    const body = (await res.json()) as { redirectUrl?: string; error?: { code: string; message: string } };
    if (res.ok && body.redirectUrl) window.location.assign(body.redirectUrl);
    else {
      setError(body.error?.message ?? `payment failed (${res.status})`);
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
