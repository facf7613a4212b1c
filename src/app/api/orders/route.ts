import { NextResponse } from 'next/server';
import { listOrderViews } from '../../../delivery/order-view';
import { errorResponse } from '../../../server/http';
import { webContext } from '../../../server/web-context';

/** The caller's orders, newest first, a page at a time: `?cursor=` is the previous page's `nextCursor`. */
export async function GET(req: Request) {
  try {
    const ctx = webContext();
    const claims = await ctx.authenticate(req);
    return NextResponse.json(await listOrderViews(ctx.delivery, claims, new URL(req.url).searchParams.get('cursor')), { headers: { 'cache-control': 'no-store' } });
  } catch (err) {
    return errorResponse(err, { route: 'list-orders' });
  }
}
