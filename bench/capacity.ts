/**
 * `npm run bench:capacity`: how well the paid provider slots are used, side by
 * side in one run: the ElevenLabs provider (official SDK) against the local
 * wire stub with a fixed call time, an in-process DBOS worker, real webhooks,
 * on DATABASE_URL's server (a scratch database) or embedded PostgreSQL.
 *
 * (a) one order with 3 slots: wall time ÷ one call's time (goal ≤ 1.2);
 * (b) 30 orders with 2 slots: mean calls in flight ÷ limit while a backlog
 *     exists (goal ≥ 0.95, never above 1);
 * (c) a spike of 50 orders with random occasion dates paid in random order, 1
 *     slot (busy while the spike arrives): share of orders whose first variant
 *     starts in occasion-date order, ties excepted (goal 100%);
 * (d) ETA error over a 20-order backlog: |estimatedReadyAt shown when paid −
 *     actual completion| ÷ actual wait, median and p90 (goals ≤ 15%, ≤ 30%);
 * (e) enqueue → first provider call on an idle worker, p50/p99, per queue
 *     polling interval, with the database load an idle worker costs at each.
 */
import { DBOS } from '@dbos-inc/dbos-sdk';
import { createPool } from '../src/db/pool';
import { getOrderView } from '../src/delivery/order-view';
import { registerGenerateSongWorkflow, registerGenerationQueues, registerRetryVariantWorkflow } from '../src/generation/dbos-workflow';
import { createElevenLabsProvider } from '../src/generation/providers/elevenlabs-provider';
import type { MusicProvider } from '../src/generation/providers/music-provider';
import { APP_NAME, APP_VERSION } from '../src/generation/workflow-names';
import { createLogger } from '../src/logging/logger';
import { buildCheckoutSessionCompletedEvent, signStripePayload } from '../src/payments/dev-events';
import { handleStripeWebhook } from '../src/payments/handle-webhook';
import { createLocalStorage } from '../src/storage/local-storage';
import { startElevenLabsStub, type StubReply } from '../test/support/elevenlabs-stub';
import { BENCH_WEBHOOK_SECRET, benchWebhookDeps, createScratchDatabase } from './scratch-database';

const CALL_MS = Number(process.env.BENCH_CALL_MS ?? 3000);
const SPIKE_CALL_MS = Number(process.env.BENCH_SPIKE_CALL_MS ?? 200);
const POLLS = (process.env.BENCH_POLLS ?? '50,100,250,1000').split(',').map(Number);
const DEFAULT_POLL_MS = Number(process.env.QUEUE_POLL_MS ?? 50);
const LATENCY_SAMPLES = Number(process.env.BENCH_LATENCY_SAMPLES ?? 20);
/** Which figures to run (default all): e.g. BENCH_ONLY=a,b. */
const ONLY = new Set((process.env.BENCH_ONLY ?? 'a,b,c,d,e').split(','));

if (process.argv.includes('--help')) {
  console.log(`usage: npm run bench:capacity
env: BENCH_CALL_MS (3000), BENCH_SPIKE_CALL_MS (200), BENCH_POLLS (50,100,250,1000), QUEUE_POLL_MS (50: the polling
     interval of (a)–(d)), BENCH_LATENCY_SAMPLES (20), DATABASE_URL`);
  process.exit(0);
}

const log = createLogger({ level: 'silent' });
const scratch = await createScratchDatabase(createLogger({ level: 'warn' }));
const url = scratch.url;
const dbName = new URL(url).pathname.slice(1);
const db = createPool({ connectionString: url, max: 10, application_name: 'bench-observer' });
const webhook = await benchWebhookDeps(db, url, log);
const storage = createLocalStorage({ root: scratch.tempDir('storage'), signingSecret: 'b'.repeat(32), baseUrl: 'http://bench' });

// The provider is the real ElevenLabs one; each scenario points it at a fresh stub.
let current: MusicProvider | undefined;
const provider: MusicProvider = { name: 'elevenlabs', generate: (prompt, options) => current!.generate(prompt, options) };
const deps = {
  db,
  provider,
  storage,
  lengthMs: 3000,
  log,
  retry: { maxAttempts: 3, backoff: { baseMs: 100, capMs: 1000 }, maxRateLimitWaits: 12, pausePollMs: 1000 },
};
registerGenerateSongWorkflow(deps);
registerRetryVariantWorkflow(deps);
DBOS.setConfig({ name: APP_NAME, systemDatabaseUrl: url, applicationVersion: APP_VERSION, executorID: 'bench-capacity', logLevel: 'error' });
await DBOS.launch();

/** One call the stub received: whose order (the recipient name) and when, ms (performance.now()). */
interface Arrival {
  recipient: string;
  at: number;
}

async function useStub(slots: number, pollMs: number, latency: (n: number) => number) {
  const arrivals: Arrival[] = [];
  const stub = await startElevenLabsStub({
    script: (call, n): StubReply => {
      arrivals.push({ recipient: /written for ([^;]+);/.exec(call.prompt)?.[1] ?? '?', at: performance.now() });
      return { kind: 'ok', latencyMs: latency(n) };
    },
  });
  current = createElevenLabsProvider({ apiKey: 'xi-bench', baseUrl: stub.url, attemptTimeoutMs: 600_000 });
  await registerGenerationQueues(slots, pollMs);
  return { stub, arrivals };
}

let recipients = 0;
async function pay(occasionDate: string): Promise<{ orderId: string; userId: string; recipient: string; paidAt: number }> {
  const recipient = `R${++recipients}`;
  const { rows } = await db.query<{ user_id: string; id: string }>(
    `with u as (insert into auth.users (id) values (gen_random_uuid()) returning id)
     insert into public.customizations (user_id, recipient_name, occasion, occasion_date, genre, mood, story)
     select id, $1, 'birthday', $2, 'pop', 'happy', 'A story.' from u returning user_id, id`,
    [recipient, occasionDate],
  );
  const event = buildCheckoutSessionCompletedEvent({
    userId: rows[0]!.user_id,
    customizationId: rows[0]!.id,
    amount: 2900,
    currency: 'usd',
    email: 'b@example.test',
  });
  const { body, signature } = await signStripePayload(event, BENCH_WEBHOOK_SECRET);
  await handleStripeWebhook(webhook, body, signature);
  const paidAt = performance.now();
  const order = await db.query<{ id: string }>('select id from public.orders where stripe_session_id = $1', [event.data.object.id]);
  return { orderId: order.rows[0]!.id, userId: rows[0]!.user_id, recipient, paidAt };
}

async function allDone(orderIds: string[]): Promise<void> {
  for (;;) {
    const { rows } = await db.query(`select count(*)::int as n from public.song_variants where order_id = any($1) and generation_status = 'complete'`, [
      orderIds,
    ]);
    if (rows[0].n === orderIds.length * 3) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const rows: [string, string, string][] = [];

try {
  // (e) enqueue → first provider call on an idle worker, per polling interval, and what idling costs the database.
  for (const pollMs of ONLY.has('e') ? POLLS : []) {
    const { stub, arrivals } = await useStub(3, pollMs, () => SPIKE_CALL_MS);
    const latencies: number[] = [];
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      await new Promise((r) => setTimeout(r, Math.random() * pollMs + 2 * SPIKE_CALL_MS)); // a random point of the polling cycle, idle
      const order = await pay(day(30));
      while (!arrivals.some((a) => a.recipient === order.recipient)) await new Promise((r) => setTimeout(r, 2));
      latencies.push(arrivals.find((a) => a.recipient === order.recipient)!.at - order.paidAt);
      await allDone([order.orderId]);
    }
    await new Promise((r) => setTimeout(r, 2000));
    const xacts = async () =>
      (await db.query(`select pg_stat_force_next_flush(), (select xact_commit + xact_rollback from pg_stat_database where datname = $1)::int as n`, [dbName]))
        .rows[0].n as number;
    const before = await xacts();
    await new Promise((r) => setTimeout(r, 10_000));
    const perS = ((await xacts()) - before - 1) / 10;
    rows.push([
      `(e) enqueue → first provider call, idle worker, poll ${pollMs} ms`,
      `p50 ${pct(latencies, 50).toFixed(0)} ms, p99 ${pct(latencies, 99).toFixed(0)} ms; idle worker costs ${perS.toFixed(1)} transactions/s`,
      pollMs === DEFAULT_POLL_MS ? 'p50 ≤ 150 ms (default)' : '',
    ]);
    await stub.close();
  }

  // (c) a spike of 50 orders, random dates, paid in random order, 1 slot held by a far-off order meanwhile.
  if (ONLY.has('c')) {
    const { stub, arrivals } = await useStub(1, DEFAULT_POLL_MS, () => SPIKE_CALL_MS);
    // The blocker's first call holds the only slot until the whole spike is queued.
    const stubHold = createDeferred();
    current = heldFirstCall(current!, stubHold.promise);
    const blocker = await pay('2099-01-01');
    while (arrivals.length === 0) await new Promise((r) => setTimeout(r, 10));
    const offsets = Array.from({ length: 50 }, () => Math.floor(Math.random() * 120) - 10); // some already past
    const spike = await Promise.all(offsets.map((o) => pay(day(o)).then((p) => ({ ...p, offset: o }))));
    for (;;) {
      const { rows: q } = await db.query(`select count(*)::int as n from dbos.workflow_status where queue_name = 'music-provider' and status = 'ENQUEUED'`);
      if (q[0].n === 2 + 50 * 3) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    stubHold.resolve();
    await allDone([blocker.orderId, ...spike.map((s) => s.orderId)]);
    const firstStart = new Map<string, number>();
    for (const a of arrivals) if (!firstStart.has(a.recipient)) firstStart.set(a.recipient, a.at);
    const served = [...spike].sort((x, y) => firstStart.get(x.recipient)! - firstStart.get(y.recipient)!);
    let latestSoFar = -Infinity;
    let inOrder = 0;
    for (const s of served) {
      if (s.offset >= latestSoFar) inOrder++; // nothing with a later date went before it (equal dates: ties excepted)
      latestSoFar = Math.max(latestSoFar, s.offset);
    }
    rows.push([
      `(c) spike of 50 orders, random dates, random payment order, 1 slot`,
      `${inOrder} of 50 (${((inOrder / 50) * 100).toFixed(0)}%) started in occasion-date order`,
      '100%',
    ]);
    await stub.close();
  }

  // Warm-up at this call time: the worker's first poll and connections, and a measured median in the ledger for (d).
  {
    const { stub } = await useStub(3, DEFAULT_POLL_MS, () => CALL_MS);
    const order = await pay(day(10));
    await allDone([order.orderId]);
    await stub.close();
  }

  // (a) one order, 3 slots, on an idle warm worker: wall time ÷ one call's time (median of 5).
  if (ONLY.has('a')) {
    const { stub } = await useStub(3, DEFAULT_POLL_MS, () => CALL_MS);
    const walls: number[] = [];
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, Math.random() * DEFAULT_POLL_MS));
      const order = await pay(day(10));
      await allDone([order.orderId]);
      walls.push(performance.now() - order.paidAt);
    }
    const wall = pct(walls, 50);
    rows.push([
      `(a) one order, 3 slots, ${CALL_MS} ms calls: wall ÷ call time (median of 5)`,
      `${(wall / CALL_MS).toFixed(2)} (${(wall / 1000).toFixed(2)} s); max ${stub.concurrency().max} in flight`,
      '≤ 1.2',
    ]);
    await stub.close();
  }

  // (b) 30 orders, 2 slots: mean calls in flight ÷ limit while a backlog exists (first call → last call start).
  if (ONLY.has('b')) {
    const { stub, arrivals } = await useStub(2, DEFAULT_POLL_MS, () => CALL_MS);
    const orders = await Promise.all(Array.from({ length: 30 }, () => pay(day(10))));
    await allDone(orders.map((o) => o.orderId));
    const starts = arrivals.map((a) => a.at).sort((x, y) => x - y);
    const from = starts[0]!;
    const to = starts[starts.length - 1]!; // after this no call waits for a slot
    const busy = starts.reduce((sum, s) => sum + Math.max(0, Math.min(s + CALL_MS, to) - s), 0);
    const ratio = busy / (to - from) / 2;
    rows.push([
      `(b) 30 orders, 2 slots, ${CALL_MS} ms calls: mean in flight ÷ limit during the backlog`,
      `${ratio.toFixed(3)}; max ${stub.concurrency().max} in flight`,
      '≥ 0.95, never above 1',
    ]);
    await stub.close();
  }

  // (d) ETA error over a 20-order backlog (2 slots, one occasion date, so no later order overtakes an earlier one).
  if (ONLY.has('d')) {
    const { stub } = await useStub(2, DEFAULT_POLL_MS, () => CALL_MS);
    const delivery = { db, storage, signedUrlTtlSeconds: 60, appUrl: 'http://bench' };
    const shown: { orderId: string; paidAt: number; etaAt: number }[] = [];
    for (let i = 0; i < 20; i++) {
      const o = await pay(day(20));
      const view = await getOrderView(delivery, { sub: o.userId, role: 'authenticated' }, o.orderId);
      shown.push({ orderId: o.orderId, paidAt: Date.now() - (performance.now() - o.paidAt), etaAt: Date.parse(view.estimatedReadyAt!) });
    }
    await allDone(shown.map((s) => s.orderId));
    const errors: number[] = [];
    for (const s of shown) {
      const { rows: r } = await db.query(
        `select (extract(epoch from max(completed_at)) * 1000)::float8 as done from public.song_variants where order_id = $1`,
        [s.orderId],
      );
      const done = r[0].done as number;
      errors.push(Math.abs(s.etaAt - done) / (done - s.paidAt));
      if (process.env.BENCH_DEBUG)
        console.error(
          `paid +${(s.paidAt - shown[0]!.paidAt).toFixed(0)} ms: eta in ${(s.etaAt - s.paidAt).toFixed(0)} ms, done in ${(done - s.paidAt).toFixed(0)} ms`,
        );
    }
    rows.push([
      `(d) ETA error, 20-order backlog, 2 slots, ${CALL_MS} ms calls`,
      `median ${(pct(errors, 50) * 100).toFixed(1)}%, p90 ${(pct(errors, 90) * 100).toFixed(1)}% of the actual wait`,
      'median ≤ 15%, p90 ≤ 30%',
    ]);
    await stub.close();
  }

  console.log(
    `\ncapacity, node ${process.version}, ElevenLabs provider against the wire stub, in-process DBOS worker, queue poll ${DEFAULT_POLL_MS} ms for (a)–(d)\n`,
  );
  console.log('| figure | measured | goal |');
  console.log('|---|---|---|');
  for (const [what, value, goal] of rows) console.log(`| ${what} | ${value} | ${goal} |`);
} finally {
  await DBOS.shutdown();
  await db.end();
  await scratch.drop();
  process.exit(0);
}

function createDeferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Wraps a provider so its first call waits for `hold` after it has been sent (the slot stays busy). */
function heldFirstCall(inner: MusicProvider, hold: Promise<void>): MusicProvider {
  let first = true;
  return {
    name: inner.name,
    async generate(prompt, options) {
      const result = inner.generate(prompt, options);
      if (first) {
        first = false;
        await hold;
      }
      return result;
    },
  };
}
