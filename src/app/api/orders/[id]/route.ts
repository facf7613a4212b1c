import { getOrderView } from '@/delivery/order-view';
import { withUser } from '@/server/route';

/** One of the caller's orders with its variants (see OrderView); 404 for anyone else's. */
export const GET = withUser<{ id: string }>({ route: 'get-order', headers: { 'cache-control': 'no-store' } }, ({ ctx, claims, params }) =>
  getOrderView(ctx.delivery, claims, params.id),
);
