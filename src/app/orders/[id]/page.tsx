import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { getOrderView } from '../../../delivery/order-view';
import { NotFoundError } from '../../../errors';
import { requirePageSession } from '../../../server/page-session';
import { webContext } from '../../../server/web-context';
import { OrderLive } from './order-live';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Your song · SongSwipe', robots: { index: false, follow: false } };

/**
 * The owner's order page: rendered on the server with the session cookie
 * (another user's order is "not found", like a missing one), then kept live
 * by OrderLive polling `GET /api/orders/:id` with the same cookie.
 */
export default async function OrderPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const claims = await requirePageSession(`/orders/${id}`);
  let order;
  try {
    order = await getOrderView(webContext().delivery, claims, id);
  } catch (err) {
    if (err instanceof NotFoundError) notFound();
    throw err;
  }
  return <OrderLive initial={order} />;
}
