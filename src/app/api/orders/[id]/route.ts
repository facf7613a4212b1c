import { NextResponse } from 'next/server';
import { getOrderView } from '../../../../delivery/order-view';
import { errorResponse } from '../../../../server/http';
import { webContext } from '../../../../server/web-context';

export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  try {
    const ctx = webContext();
    const claims = await ctx.authenticate(req);
    return NextResponse.json(await getOrderView(ctx.delivery, claims, id), { headers: { 'cache-control': 'no-store' } });
  } catch (err) {
    return errorResponse(err, { route: 'get-order', orderId: id });
  }
}
