import { NextResponse } from 'next/server';
import { handleStripeWebhook } from '../../../../payments/handle-webhook';
import { errorResponse, readBodyText } from '../../../../server/http';
import { webContext } from '../../../../server/web-context';

/** Stripe event payloads are far below this; anything larger is refused (bytes). */
const MAX_WEBHOOK_BYTES = 1024 * 1024;

export async function POST(req: Request) {
  try {
    const raw = await readBodyText(req, MAX_WEBHOOK_BYTES);
    const ctx = webContext();
    await handleStripeWebhook(await ctx.webhookDeps(), raw, req.headers.get('stripe-signature'));
    return NextResponse.json({ received: true });
  } catch (err) {
    return errorResponse(err, { route: 'stripe-webhook' });
  }
}
