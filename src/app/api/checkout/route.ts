import { createCheckout } from '@/payments/create-checkout';
import { withUser } from '@/server/route';

/** Start paying for a customization: `{checkoutUrl, orderId, …}` (see createCheckout). */
export const POST = withUser({ route: 'create-checkout', body: 'json' }, ({ ctx, log, claims, body }) =>
  createCheckout({ ...ctx.checkout, log }, claims, body),
);
