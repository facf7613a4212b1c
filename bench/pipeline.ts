/**
 * `npm run bench:pipeline`: the generation pipeline's own costs, side by side
 * in one process, on DATABASE_URL's server (a scratch database) or embedded
 * PostgreSQL.
 *
 * 1. Throughput: orders per second end to end (signed webhook → 3 stored
 *    variants) with an instant provider, against the same server's commit/s
 *    ceiling (a one-row insert loop on one connection), printed as a ratio.
 * 2. Latency on an idle worker: webhook committed → first provider call,
 *    p50/p99, at the default queue polling interval.
 * 3. Footprint: a real worker process's RSS and the database connections in
 *    use while 1000 orders are queued.
 */
import { readFileSync } from 'node:fs';
import { DBOS } from '@dbos-inc/dbos-sdk';
import { createPool } from '../src/db/pool';
import { BENCH_WEBHOOK_SECRET, benchWebhookDeps, createScratchDatabase } from './scratch-database';
import { registerGenerateSongWorkflow, registerGenerationQueues } from '../src/generation/dbos-workflow';
import type { MusicProvider } from '../src/generation/providers/music-provider';
import { encodeMp3 } from '../src/generation/providers/synth-provider';
import { APP_NAME, APP_VERSION } from '../src/generation/workflow-names';
import { serviceCommands, spawnService, stopService } from '../src/launcher/services';
import { createLogger } from '../src/logging/logger';
import { buildCheckoutSessionCompletedEvent, signStripePayload } from '../src/payments/dev-events';
import { handleStripeWebhook } from '../src/payments/handle-webhook';
import { createLocalStorage } from '../src/storage/local-storage';

const THROUGHPUT_ORDERS = Number(process.env.BENCH_ORDERS ?? 300);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 10);
const LATENCY_SAMPLES = Number(process.env.BENCH_LATENCY_SAMPLES ?? 30);
const POLL_MS = Number(process.env.QUEUE_POLL_MS ?? 1000);
const QUEUED = Number(process.env.BENCH_QUEUED ?? 1000);

if (process.argv.includes('--help')) {
  console.log(`usage: npm run bench:pipeline
env: BENCH_ORDERS (300), BENCH_CONCURRENCY (10), BENCH_LATENCY_SAMPLES (30), QUEUE_POLL_MS (1000), BENCH_QUEUED (1000), DATABASE_URL (set: also SONGSWIPE_LOCAL_MODE=1, local mode)`);
  process.exit(0);
}

const log = createLogger({ level: 'silent' });
const scratch = await createScratchDatabase(createLogger({ level: 'warn' }));
const runtime = scratch.env;
const url = scratch.url;
const dbName = new URL(url).pathname.slice(1);
const db = createPool({ connectionString: url, max: 10 });
const webhook = await benchWebhookDeps(db, url, log);

async function customizations(n: number) {
  const { rows } = await db.query<{ user_id: string; id: string }>(
    `with u as (insert into auth.users (id) select gen_random_uuid() from generate_series(1, $1) returning id)
     insert into public.customizations (user_id, recipient_name, occasion, occasion_date, genre, mood, story)
     select id, 'Bench', 'birthday', '2027-01-01', 'pop', 'happy', 'A story.' from u returning user_id, id`,
    [n],
  );
  return rows;
}
async function pay(c: { user_id: string; id: string }): Promise<string> {
  const event = buildCheckoutSessionCompletedEvent({ userId: c.user_id, customizationId: c.id, amount: 2900, currency: 'usd', email: 'b@example.test' });
  const { body, signature } = await signStripePayload(event, BENCH_WEBHOOK_SECRET);
  await handleStripeWebhook(webhook, body, signature);
  return event.data.object.id;
}
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

// An instant provider: a 1 s MP3 made once, handed back at once. Records when each call starts.
const tiny = encodeMp3(
  new Int16Array(22050).map((_, i) => Math.round(5000 * Math.sin(i / 8))),
  22050,
);
const firstCall = new Map<string, number>();
const instant: MusicProvider = {
  name: 'instant',
  async generate(_prompt, { orderId }) {
    if (!firstCall.has(orderId)) firstCall.set(orderId, performance.now());
    return { audio: tiny, contentType: 'audio/mpeg', extension: 'mp3', durationMs: 1000, providerSongId: null };
  },
};
registerGenerateSongWorkflow({
  db,
  provider: instant,
  storage: createLocalStorage({ root: scratch.tempDir('storage'), signingSecret: 'b'.repeat(32), baseUrl: 'http://bench' }),
  lengthMs: 1000,
  retry: { maxAttempts: 3, backoff: { baseMs: 100, capMs: 1000 }, maxRateLimitWaits: 12, pausePollMs: 1000 },
  log,
});
DBOS.setConfig({ name: APP_NAME, systemDatabaseUrl: url, applicationVersion: APP_VERSION, executorID: 'bench', logLevel: 'error' });
await DBOS.launch();
await registerGenerationQueues(CONCURRENCY, 50);

async function waitDone(count: number) {
  for (;;) {
    const { rows } = await db.query(`select count(*)::int as n from dbos.workflow_status where status = 'SUCCESS' and name = 'generate-song'`);
    if (rows[0].n >= count) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

try {
  // 1a. commit ceiling: one-row inserts on one connection, 3 s.
  const c = await db.connect();
  await c.query('create table bench_commits (id bigserial primary key, at timestamptz default now())');
  let commits = 0;
  const until = performance.now() + 3000;
  while (performance.now() < until) {
    await c.query('insert into bench_commits default values');
    commits++;
  }
  c.release();
  const commitsPerS = commits / 3;

  // 1b. end-to-end throughput with the instant provider.
  const batch = await customizations(THROUGHPUT_ORDERS);
  const t0 = performance.now();
  for (let i = 0; i < batch.length; i += 20) await Promise.all(batch.slice(i, i + 20).map(pay));
  await waitDone(THROUGHPUT_ORDERS);
  const seconds = (performance.now() - t0) / 1000;
  const ordersPerS = THROUGHPUT_ORDERS / seconds;

  // 2. enqueue → first provider call on an idle worker, at the default polling interval.
  await registerGenerationQueues(CONCURRENCY, POLL_MS);
  const latencies: number[] = [];
  for (const cz of await customizations(LATENCY_SAMPLES)) {
    const done = THROUGHPUT_ORDERS + latencies.length + 1;
    const sessionId = await pay(cz);
    const committed = performance.now();
    const { rows } = await db.query<{ id: string }>('select id from public.orders where stripe_session_id = $1', [sessionId]);
    await waitDone(done);
    latencies.push(firstCall.get(rows[0]!.id)! - committed);
    await new Promise((r) => setTimeout(r, Math.random() * POLL_MS)); // arrive at a random point of the polling cycle
  }
  await DBOS.shutdown();

  // 3. a real worker process with 1000 orders queued behind a slow provider.
  const worker = spawnService(
    'worker',
    serviceCommands('dev', 0).worker,
    {
      ...runtime.childEnv,
      DATABASE_URL: url,
      DATA_DIR: scratch.tempDir('worker'),
      SYNTH_LATENCY_MS: '2000',
      SONG_LENGTH_MS: '3000',
      WORKER_EXECUTOR_ID: 'bench-footprint',
      LOG_LEVEL: 'warn',
    },
    () => {},
  );
  for (const group of chunk(await customizations(QUEUED), 50)) await Promise.all(group.map(pay));
  let rss = 0;
  let connections = 0;
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 500));
    try {
      rss = Math.max(rss, Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${worker.pid}/status`, 'utf8'))?.[1] ?? 0) * 1024);
    } catch {
      // not up yet
    }
    const { rows } = await db.query(`select count(*)::int as n from pg_stat_activity where datname = $1 and application_name <> 'bench-observer'`, [dbName]);
    connections = Math.max(connections, rows[0].n);
  }
  const { rows: queued } = await db.query(`select count(*)::int as n from dbos.workflow_status where status = 'ENQUEUED'`);
  await stopService(worker);

  console.log(`\ngeneration pipeline, node ${process.version}, instant provider, queue concurrency ${CONCURRENCY}\n`);
  console.log('| measure | value |');
  console.log('|---|---:|');
  console.log(`| Postgres commit ceiling (1 connection, 1-row insert) | ${commitsPerS.toFixed(0)} commits/s |`);
  console.log(`| end to end, webhook → 3 stored variants (${THROUGHPUT_ORDERS} orders) | ${ordersPerS.toFixed(1)} orders/s |`);
  console.log(
    `| ratio orders/s ÷ commits/s | ${(ordersPerS / commitsPerS).toFixed(4)} (≈ ${(commitsPerS / ordersPerS).toFixed(0)} commits' worth per order) |`,
  );
  console.log(
    `| enqueue → first provider call, idle worker, poll ${POLL_MS} ms | p50 ${pct(latencies, 50).toFixed(0)} ms, p99 ${pct(latencies, 99).toFixed(0)} ms |`,
  );
  console.log(`| worker RSS with ${QUEUED} orders queued (${queued[0].n} still queued at the end) | ${(rss / 1024 / 1024).toFixed(0)} MiB |`);
  console.log(`| database connections in use meanwhile (worker + this bench's pool) | ${connections} |`);
} finally {
  await db.end();
  await scratch.drop();
  process.exit(0);
}

function chunk<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}
