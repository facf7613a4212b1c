import type { Metadata } from 'next';
import { OrderProgress } from './order-progress';

export const metadata: Metadata = { title: 'Your song · SongSwipe', robots: { index: false, follow: false } };

/**
 * The owner's order page. The data comes from `GET /api/orders/:id` with the
 * owner's access token (taken from `#access_token=…` or sessionStorage, never
 * sent in a URL to the server), refreshed every 2 s until generation settles.
 */
export default async function OrderPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <OrderProgress orderId={id} />;
}
