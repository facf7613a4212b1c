import { NextResponse } from 'next/server';
import { chooseFavourite } from '../../../../../delivery/favourite';
import { errorResponse, readJsonBody } from '../../../../../server/http';
import { webContext } from '../../../../../server/web-context';

/** Owner chooses the order's favourite variant `{variantNumber}`; answers the updated order view. */
export async function PUT(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  try {
    const body = await readJsonBody(req);
    const ctx = webContext();
    const claims = await ctx.authenticate(req);
    return NextResponse.json(await chooseFavourite(ctx.delivery, claims, id, body), { headers: { 'cache-control': 'no-store' } });
  } catch (err) {
    return errorResponse(err, { route: 'choose-favourite', orderId: id });
  }
}
