import { payDevCheckout } from '@/payments/dev-checkout';
import { parseJsonBody } from '@/server/http';
import { withOptionalUser } from '@/server/route';

/**
 * Local dev checkout only (404 in deployment mode, or with STRIPE_SECRET_KEY):
 * the session's owner (Bearer JWT) pays it; anyone else gets 404, whatever the body.
 */
export const POST = withOptionalUser<{ sessionId: string }>({ route: 'dev-checkout', body: 'text' }, ({ ctx, log, claims, params, rawBody }) =>
  payDevCheckout({ ...ctx.devCheckout, log }, params.sessionId, claims, async () => parseJsonBody(rawBody)),
);
