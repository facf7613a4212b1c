import { NextResponse } from 'next/server';
import { disableVariantSharing, rotateVariantShareLink } from '../../../../../delivery/share-links';
import { errorResponse } from '../../../../../server/http';
import { webContext } from '../../../../../server/web-context';

type Params = { params: Promise<{ id: string }> };

/** Rotate the variant's share token (owner only): the old link stops working. */
export async function POST(req: Request, { params }: Params) {
  try {
    const ctx = webContext();
    const claims = await ctx.authenticate(req);
    return NextResponse.json(await rotateVariantShareLink(ctx.delivery, claims, (await params).id));
  } catch (err) {
    return errorResponse(err, { route: 'rotate-share-token' });
  }
}

/** Switch sharing off for the variant (owner only). */
export async function DELETE(req: Request, { params }: Params) {
  try {
    const ctx = webContext();
    const claims = await ctx.authenticate(req);
    return NextResponse.json(await disableVariantSharing(ctx.delivery, claims, (await params).id));
  } catch (err) {
    return errorResponse(err, { route: 'disable-sharing' });
  }
}
