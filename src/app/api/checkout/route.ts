import { NextResponse } from 'next/server';
import { createCheckout } from '../../../payments/create-checkout';
import { errorResponse, readJsonBody } from '../../../server/http';
import { webContext } from '../../../server/web-context';

export async function POST(req: Request) {
  try {
    const ctx = webContext();
    const claims = await ctx.authenticate(req);
    return NextResponse.json(await createCheckout(ctx.checkout, claims, await readJsonBody(req)));
  } catch (err) {
    return errorResponse(err, { route: 'create-checkout' });
  }
}
