import { handleStripeWebhook } from '@/payments/handle-webhook';
import { withRoute } from '@/server/route';

/** Stripe event payloads are far below this; anything larger is refused (bytes). */
const MAX_WEBHOOK_BYTES = 1024 * 1024;

/** Stripe's events (see handleStripeWebhook): `{received: true}` once recorded. */
export const POST = withRoute({ route: 'stripe-webhook', body: 'text', maxBodyBytes: MAX_WEBHOOK_BYTES }, async ({ req, ctx, log, rawBody }) => {
  await handleStripeWebhook({ ...(await ctx.webhookDeps()), log }, rawBody, req.headers.get('stripe-signature'));
  return { received: true };
});
