import { NextResponse } from 'next/server';
import { authenticate } from '../../../auth/jwt';
import { listOrderViews } from '../../../delivery/order-view';
import { errorResponse } from '../../../server/http';
import { webContext } from '../../../server/web-context';

export async function GET(req: Request) {
  try {
    const ctx = webContext();
    const claims = await authenticate(req.headers, ctx.accessTokens);
    return NextResponse.json(await listOrderViews(ctx.delivery, claims), { headers: { 'cache-control': 'no-store' } });
  } catch (err) {
    return errorResponse(err, { route: 'list-orders' });
  }
}
