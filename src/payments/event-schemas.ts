import { z } from 'zod';

/**
 * The parts of Stripe webhook events we act on. Objects are loose: Stripe adds
 * fields all the time and we must not reject them (docs/architecture.md "Boundaries").
 */
/** A Stripe object id with its prefix: `evt_…`, `cs_…`; bounded, no odd bytes. */
const stripeId = (prefix: string) => z.string().regex(new RegExp(`^${prefix}_[A-Za-z0-9_]{1,250}$`), `must be a ${prefix}_ id`);

export const stripeEventSchema = z.looseObject({
  id: stripeId('evt'),
  type: z.string().regex(/^[a-z0-9_.]{1,100}$/),
  livemode: z.boolean(),
  created: z.number().int(),
  data: z.looseObject({
    object: z.looseObject({
      id: z
        .string()
        .regex(/^[A-Za-z0-9_]{1,255}$/)
        .optional(),
    }),
  }),
});
export type StripeEventEnvelope = z.infer<typeof stripeEventSchema>;

/** An expandable reference: `"<prefix>_…"`, or the expanded object `{ id: "<prefix>_…", … }`. */
const reference = (prefix: string) => z.union([stripeId(prefix), z.looseObject({ id: stripeId(prefix) })]);
const expandableOf = (prefix: string) => reference(prefix).nullable().optional();
const expandable = expandableOf('pi');

/** The id of an expandable field (`"pi_…"` or `{ id: "pi_…", … }`), or null. */
export function expandableId(value: string | { id: string } | null | undefined): string | null {
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
  /** Before discounts, tax and shipping (cents); null only on sessions we did not price. */
  amount_subtotal: amountCents.nullable().optional(),
  amount_total: amountCents.nullable(),
  total_details: z
    .looseObject({ amount_discount: amountCents, amount_shipping: amountCents.nullable().optional(), amount_tax: amountCents.nullable().optional() })
    .nullable()
    .optional(),
  /**
   * The coupons and promotion codes applied. Only read for the promotion code
   * id we store, so a shape we do not know is dropped rather than refusing a
   * payment (`catch`): the amounts above are what the trust check relies on.
   */
  discounts: z
    .array(z.looseObject({ promotion_code: expandableOf('promo') }))
    .nullable()
    .optional()
    .catch(null),
  currency: z
    .string()
    .regex(/^[A-Za-z]{3}$/)
    .nullable(),
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

/** Stripe's dispute statuses; `won`, `lost` and `warning_closed` are final. */
export const CLOSED_DISPUTE_STATUSES = ['won', 'lost', 'warning_closed'] as const;

/** A dispute (chargeback or inquiry), as every `charge.dispute.*` event carries it. */
export const disputeSchema = z.looseObject({
  id: z.string().regex(/^(dp|du)_[A-Za-z0-9_]{1,250}$/, 'must be a dp_ id'),
  object: z.literal('dispute'),
  charge: reference('ch'),
  payment_intent: expandable,
  amount: amountCents,
  currency: z.string().regex(/^[A-Za-z]{3}$/),
  reason: z.string().min(1).max(100),
  status: z.enum(['warning_needs_response', 'warning_under_review', 'warning_closed', 'needs_response', 'under_review', 'won', 'lost']),
  /** `due_by`: unix seconds, null when no evidence can be submitted. */
  evidence_details: z.looseObject({ due_by: z.number().int().nullable().optional() }).nullable().optional(),
});
export type Dispute = z.infer<typeof disputeSchema>;

/** A refund, as `charge.refund.updated` carries it. */
export const refundSchema = z.looseObject({
  id: stripeId('re'),
  object: z.literal('refund'),
  amount: amountCents,
  charge: expandableOf('ch'),
  payment_intent: expandable,
  status: z.string().nullable(),
  failure_reason: z.string().max(200).nullable().optional(),
});

/** The payment intent an event's object names, for the event ledger. */
export function paymentIntentOf(object: Record<string, unknown>): string | null {
  const parsed = expandable.safeParse(object.payment_intent);
  return parsed.success ? expandableId(parsed.data) : null;
}
