import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { listOrderViews } from '../../delivery/order-view';
import { formatOccasionDate, orderStatusText } from '../../delivery/order-status-text';
import { ValidationError } from '../../errors';
import { requirePageSession } from '../../server/page-session';
import { webContext } from '../../server/web-context';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Your orders · SongSwipe', robots: { index: false, follow: false } };

/** The signed-in user's orders, newest first, a page at a time (`?cursor=`, as `GET /api/orders`). */
export default async function OrdersPage({ searchParams }: { searchParams: Promise<{ cursor?: string }> }) {
  const { cursor } = await searchParams;
  const claims = await requirePageSession('/orders');
  const page = await listOrderViews(webContext().delivery, claims, cursor).catch((err: unknown) => {
    if (err instanceof ValidationError) redirect('/orders'); // a cursor we did not hand out: start over
    throw err;
  });
  return (
    <>
      <h1>Your orders</h1>
      {page.orders.length === 0 ? (
        <p>
          No orders yet. <Link href="/songs/new">Create a song</Link>
        </p>
      ) : (
        <ul className="order-list">
          {page.orders.map((o) => (
            <li key={o.id}>
              <Link href={`/orders/${o.id}`}>
                <span className="title">
                  {o.occasion} for {o.recipientName}
                </span>
                <br />
                <span className="muted">{formatOccasionDate(o.occasionDate)}</span> · <span>{orderStatusText(o)}</span>
              </Link>
            </li>
          ))}
        </ul>
      )}
      <p className="actions">
        {cursor && <Link href="/orders">Newest orders</Link>}
        {page.nextCursor && <Link href={`/orders?cursor=${encodeURIComponent(page.nextCursor)}`}>Older orders</Link>}
      </p>
    </>
  );
}
