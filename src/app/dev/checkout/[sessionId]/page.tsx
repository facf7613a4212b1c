import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { getDevCheckoutSession } from '@/payments/dev-checkout';
import { NotFoundError } from '@/errors';
import { webContext } from '@/server/web-context';
import { PayButtons } from './pay-buttons';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Dev checkout · SongSwipe', robots: { index: false, follow: false } };

/** Stand-in for Stripe Checkout in local mode without a STRIPE_SECRET_KEY (404 otherwise; see devCheckoutEnabled). */
export default async function DevCheckoutPage({ params }: { params: Promise<{ sessionId: string }> }) {
  const { sessionId } = await params;
  let session;
  try {
    session = await getDevCheckoutSession(webContext().devCheckout, sessionId);
  } catch (err) {
    if (err instanceof NotFoundError) notFound();
    throw err;
  }
  const amount = new Intl.NumberFormat('en', { style: 'currency', currency: session.currency.toUpperCase() }).format(session.amount / 100);
  return (
    <article className="card">
      <p className="muted">Local dev checkout: no money moves. Stripe&apos;s events are signed and sent to this app&apos;s webhook.</p>
      <h1>Personalised song · {amount}</h1>
      {session.status === 'pending_payment' ? (
        <>
          <PayButtons sessionId={sessionId} />
          {/* Stripe Checkout's back link goes to the session's cancel_url: the form, with its values */}
          <p>
            <a href={`/songs/new?from=${session.customizationId}`}>Cancel and go back</a>
          </p>
        </>
      ) : (
        <p>
          This checkout is <strong>{session.status}</strong>. <a href={`/orders/${session.orderId}`}>See the order</a>
        </p>
      )}
    </article>
  );
}
