import { listOrderViews } from '@/delivery/order-view';
import { withUser } from '@/server/route';

/** The caller's orders, newest first, a page at a time: `?cursor=` is the previous page's `nextCursor`. */
export const GET = withUser({ route: 'list-orders', headers: { 'cache-control': 'no-store' } }, ({ req, ctx, claims }) =>
  listOrderViews(ctx.delivery, claims, new URL(req.url).searchParams.get('cursor')),
);
