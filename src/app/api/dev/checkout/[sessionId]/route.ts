import { NextResponse } from 'next/server';
import { payDevCheckout } from '../../../../../payments/dev-checkout';
import { errorResponse, readJsonBody } from '../../../../../server/http';
import { webContext } from '../../../../../server/web-context';

/** Local dev checkout only (404 when STRIPE_SECRET_KEY is set): pays the session. */
export async function POST(req: Request, { params }: { params: Promise<{ sessionId: string }> }) {
  try {
    const { sessionId } = await params;
    return NextResponse.json(await payDevCheckout(webContext().devCheckout, sessionId, await readJsonBody(req)));
  } catch (err) {
    return errorResponse(err, { route: 'dev-checkout' });
  }
}
