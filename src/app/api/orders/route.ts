import { listOrderViews } from '@/delivery/order-view';
import { withUser } from '@/server/route';

/** The caller's orders, newest first (see OrderView). */
export const GET = withUser({ route: 'list-orders', headers: { 'cache-control': 'no-store' } }, ({ ctx, claims }) => listOrderViews(ctx.delivery, claims));
