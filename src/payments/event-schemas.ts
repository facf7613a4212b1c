import { z } from 'zod';

/**
 * The parts of Stripe webhook events we act on. Objects are loose: Stripe adds
 * fields all the time and we must not reject them (STYLE.md "Boundaries").
 */
export const stripeEventSchema = z.looseObject({
  id: z.string().startsWith('evt_'),
  type: z.string().min(1),
  livemode: z.boolean(),
  created: z.number().int(),
  data: z.looseObject({ object: z.looseObject({}) }),
});
export type StripeEventEnvelope = z.infer<typeof stripeEventSchema>;

export const checkoutSessionSchema = z.looseObject({
  id: z.string().startsWith('cs_'),
  object: z.literal('checkout.session'),
  mode: z.string(),
  status: z.string().nullable(),
  payment_status: z.enum(['paid', 'unpaid', 'no_payment_required']),
  amount_total: z.number().int().nullable(),
  currency: z.string().nullable(),
  client_reference_id: z.string().nullable().optional(),
  metadata: z.record(z.string(), z.string()).nullable().optional(),
  payment_intent: z.union([z.string(), z.looseObject({ id: z.string() })]).nullable().optional(),
});
export type CheckoutSession = z.infer<typeof checkoutSessionSchema>;
