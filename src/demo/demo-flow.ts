import { randomUUID } from 'node:crypto';
import { mintAccessToken } from '../auth/dev-tokens';
import { connectClient } from '../db/pool';
import type { OrderPage, OrderView } from '../delivery/order-view';
import type { SharedSongView } from '../delivery/shared-song';
import { buildCheckoutSessionCompletedEvent, signStripePayload } from '../payments/dev-events';
import { decodeMp3, type DecodedAudio } from './decode-audio';

export interface DemoFlowOptions {
  baseUrl: string;
  databaseUrl: string;
  jwtSecret: string;
  webhookSecret: string;
  price: { amount: number; currency: string };
  /** Give up waiting for generation after this long, ms. */
  timeoutMs?: number;
  /** Called on every poll with the current order view. */
  onProgress?: (order: OrderView) => void;
}

export interface DemoFlowResult {
  userId: string;
  accessToken: string;
  customizationId: string;
  order: OrderView;
  ownerPageUrl: string;
  songs: { shareUrl: string; shared: SharedSongView; audio: DecodedAudio; bytes: number }[];
}

async function json<T>(res: Response, what: string): Promise<T> {
  const text = await res.text();
  if (!res.ok) {
    // The API's error body is `{"error": {"code", "message"}}`; anything else (a proxy's page) is shown raw.
    const failure = (JSON.parse(text.startsWith('{') ? text : '{}') as { error?: { code?: string; message?: string } }).error;
    throw new Error(`${what}: HTTP ${res.status} ${failure?.code ? `${failure.code}: ${failure.message}` : text.slice(0, 300)}`);
  }
  return JSON.parse(text) as T;
}

/**
 * The main job over HTTP, as a customer and Stripe would drive it:
 * demo user → customization (API) → signed `checkout.session.completed`
 * (webhook) → poll the order until generation settles → fetch every share link
 * and decode its audio.
 * @throws Error naming the step that failed.
 */
export async function runDemoFlow(o: DemoFlowOptions): Promise<DemoFlowResult> {
  const userId = randomUUID();
  const email = `demo+${userId.slice(0, 8)}@songswipe.test`;
  const db = await connectClient({ connectionString: o.databaseUrl });
  try {
    // Supabase Auth would create this row at sign-up.
    await db.query('insert into auth.users (id, email) values ($1, $2)', [userId, email]);
  } finally {
    await db.end();
  }
  const accessToken = await mintAccessToken(o.jwtSecret, userId, { email });
  const auth = { authorization: `Bearer ${accessToken}` };

  const { id: customizationId } = await json<{ id: string }>(
    await fetch(`${o.baseUrl}/api/customizations`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        recipientName: 'Maya',
        occasion: 'birthday',
        occasionDate: new Date(Date.now() + 14 * 86400_000).toISOString().slice(0, 10),
        genre: 'indie pop',
        mood: 'joyful',
        story: 'Maya learned to surf this summer and fell off the board a hundred times before she stood up. We cheered from the beach.',
        language: 'en',
      }),
    }),
    'create customization',
  );

  const event = buildCheckoutSessionCompletedEvent({
    userId,
    customizationId,
    amount: o.price.amount,
    currency: o.price.currency,
    email,
  });
  const { body, signature } = await signStripePayload(event, o.webhookSecret);
  await json(
    await fetch(`${o.baseUrl}/api/stripe/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signature },
      body,
    }),
    'deliver checkout.session.completed',
  );

  // The order id is not in the webhook answer (Stripe does not read it); the owner finds it in their list.
  const deadline = Date.now() + (o.timeoutMs ?? 150_000);
  let order: OrderView | undefined;
  while (Date.now() < deadline) {
    const { orders } = await json<OrderPage>(await fetch(`${o.baseUrl}/api/orders`, { headers: auth }), 'list orders');
    if (orders[0]) {
      order = await json<OrderView>(await fetch(`${o.baseUrl}/api/orders/${orders[0].id}`, { headers: auth }), 'get order');
      o.onProgress?.(order);
      if (['complete', 'partial', 'failed'].includes(order.generationStatus)) break;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  if (!order) throw new Error('no order appeared after the webhook');
  if (order.generationStatus !== 'complete') {
    throw new Error(`generation ended as ${order.generationStatus}, not complete`);
  }

  const songs: DemoFlowResult['songs'] = [];
  for (const variant of order.variants) {
    const shareUrl = variant.shareUrl!;
    const token = new URL(shareUrl).pathname.split('/').pop()!;
    const shared = await json<SharedSongView>(await fetch(`${o.baseUrl}/api/share/${token}`), `share link of variant ${variant.variantNumber}`);
    const audioRes = await fetch(shared.audioUrl);
    if (!audioRes.ok) throw new Error(`audio of variant ${variant.variantNumber}: HTTP ${audioRes.status}`);
    const bytes = new Uint8Array(await audioRes.arrayBuffer());
    songs.push({ shareUrl, shared, audio: await decodeMp3(bytes), bytes: bytes.length });
  }
  return {
    userId,
    accessToken,
    customizationId,
    order,
    // The dev sign-in (local mode) with the email filled in: no token in any URL.
    ownerPageUrl: `${o.baseUrl}/sign-in?${new URLSearchParams({ email, next: `/orders/${order.id}` })}`,
    songs,
  };
}
