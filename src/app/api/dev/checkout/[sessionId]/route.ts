import { NextResponse } from 'next/server';
import { payDevCheckout } from '../../../../../payments/dev-checkout';
import { errorResponse, readJsonBody } from '../../../../../server/http';
import { webContext } from '../../../../../server/web-context';

/**
 * Local dev checkout only (404 in deployment mode, or with STRIPE_SECRET_KEY):
 * the session's owner (Bearer JWT) pays it; anyone else gets 404.
 */
export async function POST(req: Request, { params }: { params: Promise<{ sessionId: string }> }) {
  try {
    const ctx = webContext();
    const { sessionId } = await params;
    const payer = await ctx.authenticateIfPresent(req);
    return NextResponse.json(await payDevCheckout(ctx.devCheckout, sessionId, payer, () => readJsonBody(req)));
  } catch (err) {
    return errorResponse(err, { route: 'dev-checkout' });
  }
}
