import Stripe from 'stripe';
import { ValidationError } from '../errors';

/** Stripe's default signature tolerance: a signature older than this is stale (s). */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/**
 * Verifies a webhook delivery with the Stripe SDK (`constructEventAsync`, which
 * compares signatures in constant time) against each configured secret, so an
 * old and a new secret both work during rotation.
 *
 * @param rawBody the request body exactly as received: read it once with
 *   `req.text()`; a re-serialised body fails verification.
 * @param signatureHeader the `Stripe-Signature` header (null when absent).
 * @param secrets the `whsec_…` secrets to try, in order.
 * @param receivedAtMs clock for the staleness check (ms since epoch; tests only).
 * @returns the verified event (its shape is checked by the caller with zod).
 * @throws ValidationError (400) on a missing header, a bad or stale signature, or
 *   a body that is not JSON; nothing has been written at that point.
 */
export async function verifyWebhookEvent(
  rawBody: string,
  signatureHeader: string | null,
  secrets: readonly string[],
  receivedAtMs?: number,
): Promise<Stripe.Event> {
  if (!signatureHeader) throw new ValidationError('missing Stripe-Signature header', undefined, 'invalid_signature');
  let lastError: unknown;
  for (const secret of secrets) {
    try {
      return await Stripe.webhooks.constructEventAsync(rawBody, signatureHeader, secret, SIGNATURE_TOLERANCE_SECONDS, undefined, receivedAtMs);
    } catch (err) {
      lastError = err;
      // A body that verified but is not JSON will not parse with another secret either.
      if (!(err instanceof Stripe.errors.StripeSignatureVerificationError)) break;
    }
  }
  if (lastError instanceof Stripe.errors.StripeSignatureVerificationError) {
    throw new ValidationError('invalid or stale Stripe signature', undefined, 'invalid_signature');
  }
  throw new ValidationError('webhook body is not a valid Stripe event');
}
