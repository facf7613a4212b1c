import { z } from 'zod';
import { type Customization, getCustomization } from '../db/customizations';
import type { Queryable } from '../db/pool';
import type { CheckoutSession } from './event-schemas';
import type { Price } from './price';

export type SessionTrust =
  | { ok: true; userId: string; customization: Customization }
  | { ok: false; reason: string };

const uuid = z.uuid();

/**
 * Checks that a checkout session may be fulfilled. Metadata is set by our own
 * checkout route, but a session can be created by anyone holding the key, so it
 * is never trusted on its own (DESIGN.md "Rules drawn from real failures"):
 * - `metadata.user_id` and `metadata.customization_id` are UUIDs, and
 *   `client_reference_id`, when present, names the same customization;
 * - the customization exists and belongs to that user;
 * - `amount_total` and `currency` equal the configured price.
 */
export async function checkSessionTrust(db: Queryable, session: CheckoutSession, price: Price): Promise<SessionTrust> {
  const userId = session.metadata?.user_id;
  const customizationId = session.metadata?.customization_id;
  if (!uuid.safeParse(userId).success || !uuid.safeParse(customizationId).success) {
    return { ok: false, reason: 'metadata.user_id or metadata.customization_id missing or not a UUID' };
  }
  if (session.client_reference_id && session.client_reference_id !== customizationId) {
    return { ok: false, reason: 'client_reference_id does not match metadata.customization_id' };
  }
  if (session.amount_total !== price.amount || session.currency?.toLowerCase() !== price.currency) {
    return {
      ok: false,
      reason: `amount ${session.amount_total} ${session.currency} does not match the price ${price.amount} ${price.currency}`,
    };
  }
  const customization = await getCustomization(db, customizationId!);
  if (!customization) return { ok: false, reason: 'customization does not exist' };
  if (customization.userId !== userId) return { ok: false, reason: 'customization belongs to another user' };
  return { ok: true, userId: userId!, customization };
}
