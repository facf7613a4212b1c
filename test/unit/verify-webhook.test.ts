import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors';
import { signStripePayload } from '../../src/payments/dev-events';
import { verifyWebhookEvent } from '../../src/payments/verify-webhook';

const SECRET = 'whsec_unit_secret_abcdefghijklmnop';
const OLD = 'whsec_unit_old_secret_qrstuvwxyz012';
const event = { id: 'evt_1', object: 'event', type: 'checkout.session.completed', livemode: false, created: 1, data: { object: {} } };

describe('verifyWebhookEvent', () => {
  it('accepts a correctly signed body', async () => {
    const { body, signature } = await signStripePayload(event, SECRET);
    await expect(verifyWebhookEvent(body, signature, [SECRET])).resolves.toMatchObject({ id: 'evt_1' });
  });

  it('accepts a body signed with any configured secret (rotation)', async () => {
    const { body, signature } = await signStripePayload(event, OLD);
    await expect(verifyWebhookEvent(body, signature, [SECRET, OLD])).resolves.toMatchObject({ id: 'evt_1' });
  });

  it('rejects a missing signature header', async () => {
    const { body } = await signStripePayload(event, SECRET);
    await expect(verifyWebhookEvent(body, null, [SECRET])).rejects.toThrow(/missing Stripe-Signature/);
  });

  it('rejects a signature made with another secret', async () => {
    const { body, signature } = await signStripePayload(event, 'whsec_someone_else_entirely_000000');
    await expect(verifyWebhookEvent(body, signature, [SECRET])).rejects.toBeInstanceOf(ValidationError);
  });

  it('rejects a tampered body', async () => {
    const { body, signature } = await signStripePayload(event, SECRET);
    await expect(verifyWebhookEvent(body.replace('evt_1', 'evt_2'), signature, [SECRET])).rejects.toThrow(/invalid or stale/);
  });

  it('rejects a body re-serialised by a proxy (same JSON, other bytes)', async () => {
    const { body, signature } = await signStripePayload(event, SECRET);
    const reserialised = JSON.stringify(JSON.parse(body), null, 2);
    await expect(verifyWebhookEvent(reserialised, signature, [SECRET])).rejects.toBeInstanceOf(ValidationError);
  });

  it('rejects a stale signature (older than 300 s)', async () => {
    const tenMinutesAgo = Math.floor(Date.now() / 1000) - 600;
    const { body, signature } = await signStripePayload(event, SECRET, tenMinutesAgo);
    await expect(verifyWebhookEvent(body, signature, [SECRET])).rejects.toThrow(/invalid or stale/);
    // …which is the only thing wrong with it:
    await expect(verifyWebhookEvent(body, signature, [SECRET], tenMinutesAgo * 1000)).resolves.toBeTruthy();
  });

  it('rejects a garbage header', async () => {
    const { body } = await signStripePayload(event, SECRET);
    await expect(verifyWebhookEvent(body, 't=abc,v1=zzz', [SECRET])).rejects.toBeInstanceOf(ValidationError);
  });

  it('rejects a signed body that is not JSON', async () => {
    const body = 'not json';
    const signature = await Stripe.webhooks.generateTestHeaderStringAsync({ payload: body, secret: SECRET });
    await expect(verifyWebhookEvent(body, signature, [SECRET])).rejects.toThrow(/not a valid Stripe event/);
  });
});
