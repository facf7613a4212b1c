import { createHmac } from 'node:crypto';
import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInngestClient } from '../../src/generation/engines/inngest/client';
import { createInngestServeHandler } from '../../src/generation/engines/inngest/serve';
import { createSynthProvider } from '../../src/generation/providers/synth-provider';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { type InngestRecorder, startInngestRecorder } from '../support/inngest-recorder-stub';
import { testGenerationDeps } from '../support/worker';

/**
 * The serve endpoint (src/app/api/inngest/route.ts) against a recorder
 * standing in for the Inngest server: what the SDK registers on a sync, and
 * that outside dev mode an unsigned call is refused.
 */
let db: TestDatabase;
let recorder: InngestRecorder;
const SIGNING_KEY = `signkey-test-${'ab'.repeat(32)}`;
const CANCEL = [{ event: 'song/order.refunded', if: 'async.data.orderId == event.data.orderId' }];
const PROVIDER_CONCURRENCY = { limit: 3, scope: 'account', key: '"music-provider"' };
const PRIORITY = { run: 'event.data.urgencySeconds' };

beforeAll(async () => {
  db = await createTestDatabase();
  recorder = await startInngestRecorder();
});
afterAll(async () => recorder.close());

function handlerFor(config: Parameters<typeof createInngestClient>[0]) {
  return createInngestServeHandler(createInngestClient(config), testGenerationDeps(db.pool, createSynthProvider()), {
    concurrency: 3,
    serveOrigin: 'http://app.test',
  });
}

describe('the Inngest serve endpoint', () => {
  it('a sync (PUT) registers every function with its concurrency, priority and cancellation at the server INNGEST_DEV/INNGEST_BASE_URL name', async () => {
    const handler = handlerFor({ GENERATION_ENGINE: 'inngest', INNGEST_DEV: '1', INNGEST_BASE_URL: recorder.url });
    const res = await handler.PUT(new NextRequest('http://app.test/api/inngest', { method: 'PUT' }), undefined);
    expect(res.status).toBe(200);
    const register = recorder.requests.filter((r) => r.method === 'POST' && r.path === '/fn/register');
    expect(register).toHaveLength(1);
    const body = register[0]!.body as { url: string; appName: string; functions: Record<string, unknown>[] };
    expect(body).toMatchObject({ url: 'http://app.test/api/inngest', appName: 'songswipe' });
    const byName = Object.fromEntries(body.functions.map((f) => [f.name, f]));
    expect(Object.keys(byName).sort()).toEqual(['generate-song', 'generate-variant', 'relay-generation-outbox', 'retry-variant']);
    expect(byName['generate-song']).toMatchObject({ triggers: [{ event: 'song/order.paid' }], cancel: CANCEL });
    // generate-variant is invoked only (no trigger): its key is the provider limit across the account.
    expect(byName['generate-variant']).toMatchObject({ triggers: [], concurrency: PROVIDER_CONCURRENCY, priority: PRIORITY, cancel: CANCEL });
    expect(byName['retry-variant']).toMatchObject({
      triggers: [{ event: 'song/variant.retry-requested' }],
      concurrency: PROVIDER_CONCURRENCY,
      priority: PRIORITY,
      cancel: CANCEL,
    });
    expect(byName['relay-generation-outbox']).toMatchObject({ triggers: [{ cron: '* * * * *' }] });
    // Each step's retry budget is the most a step needs (BOOKKEEPING: 20 attempts); steps trim it to their own policy.
    const steps = (byName['generate-song'] as { steps: Record<string, { retries: { attempts: number } }> }).steps;
    expect(Object.values(steps)[0]!.retries.attempts).toBe(19);
  });

  it('INNGEST_DEV=<url> alone names the dev server the sync goes to', async () => {
    const before = recorder.requests.filter((r) => r.path === '/fn/register').length;
    const handler = handlerFor({ GENERATION_ENGINE: 'inngest', INNGEST_DEV: recorder.url });
    expect((await handler.PUT(new NextRequest('http://app.test/api/inngest', { method: 'PUT' }), undefined)).status).toBe(200);
    expect(recorder.requests.filter((r) => r.path === '/fn/register')).toHaveLength(before + 1);
  });

  it('outside dev mode (INNGEST_SIGNING_KEY), a call to run a function is refused unless Inngest signed it', async () => {
    const handler = handlerFor({
      GENERATION_ENGINE: 'inngest',
      INNGEST_SIGNING_KEY: SIGNING_KEY,
      INNGEST_EVENT_KEY: 'evt-key',
      INNGEST_BASE_URL: recorder.url,
    });
    // Canonical JSON (sorted keys, no spaces), as the SDK canonicalizes a body before checking its signature.
    const body = `{"ctx":{},"event":{"data":{"orderId":"00000000-0000-0000-0000-000000000000"},"name":"song/order.paid"},"events":[],"steps":{},"version":1}`;
    const call = (headers: Record<string, string>) =>
      handler.POST(
        new NextRequest('http://app.test/api/inngest?fnId=songswipe-generate-song&stepId=step', {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body,
        }),
        undefined,
      );
    const unsigned = await call({});
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toEqual({ message: 'Unauthorized' });
    const ts = String(Math.floor(Date.now() / 1000));
    const forged = await call({ 'x-inngest-signature': `t=${ts}&s=${'0'.repeat(64)}` });
    expect(forged.status).toBe(401);
    // Inngest's scheme: HMAC-SHA256 over body + timestamp, keyed with the key after its `signkey-<env>-` prefix.
    const signature = createHmac('sha256', SIGNING_KEY.replace(/^signkey-\w+-/, ''))
      .update(body + ts)
      .digest('hex');
    const signed = await call({ 'x-inngest-signature': `t=${ts}&s=${signature}` });
    expect(signed.status).not.toBe(401);
  });
});
