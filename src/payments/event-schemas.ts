import { z } from 'zod';

/**
 * The parts of Stripe webhook events we act on. Objects are loose: Stripe adds
 * fields all the time and we must not reject them (STYLE.md "Boundaries").
 */
/** A Stripe object id with its prefix: `evt_…`, `cs_…`; bounded, no odd bytes. */
const stripeId = (prefix: string) => z.string().regex(new RegExp(`^${prefix}_[A-Za-z0-9_]{1,250}$`), `must be a ${prefix}_ id`);

export const stripeEventSchema = z.looseObject({
  id: stripeId('evt'),
  type: z.string().regex(/^[a-z0-9_.]{1,100}$/),
  livemode: z.boolean(),
  created: z.number().int(),
  data: z.looseObject({ object: z.looseObject({ id: z.string().regex(/^[A-Za-z0-9_]{1,255}$/).optional() }) }),
});
export type StripeEventEnvelope = z.infer<typeof stripeEventSchema>;

const expandable = z.union([stripeId('pi'), z.looseObject({ id: stripeId('pi') })]).nullable().optional();

/** The id of an expandable field (`"pi_…"` or `{ id: "pi_…", … }`), or null. */
export function expandableId(value: z.infer<typeof expandable>): string | null {
  if (!value) return null;
  return typeof value === 'string' ? value : value.id;
}

/**
 * An amount in the smallest currency unit (cents), bounded as
 * `public.orders.amount` (integer, check >= 0) stores it: a value the table
 * would refuse fails here with a clear error, not as a SQL error mid-intake.
 */
const amountCents = z.number().int().min(0).max(2_147_483_647);

export const checkoutSessionSchema = z.looseObject({
  id: stripeId('cs'),
  object: z.literal('checkout.session'),
  mode: z.string(),
  status: z.string().nullable(),
  payment_status: z.enum(['paid', 'unpaid', 'no_payment_required']),
  amount_total: amountCents.nullable(),
  currency: z.string().regex(/^[A-Za-z]{3}$/).nullable(),
  client_reference_id: z.string().nullable().optional(),
  metadata: z.record(z.string(), z.string()).nullable().optional(),
  payment_intent: expandable,
});
export type CheckoutSession = z.infer<typeof checkoutSessionSchema>;

export const chargeSchema = z.looseObject({
  id: stripeId('ch'),
  object: z.literal('charge'),
  payment_intent: expandable,
  amount: z.number().int(),
  amount_refunded: z.number().int(),
  refunded: z.boolean(),
});
export type Charge = z.infer<typeof chargeSchema>;

/** The payment intent an event's object names, for the event ledger. */
export function paymentIntentOf(object: Record<string, unknown>): string | null {
  const parsed = expandable.safeParse(object.payment_intent);
  return parsed.success ? expandableId(parsed.data) : null;
}
