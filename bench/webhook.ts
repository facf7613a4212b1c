/**
 * `npm run bench:webhook`: payment intake throughput and latency against the
 * production build, side by side with a no-op route on the same server.
 *
 * For each concurrency level (50, 200, 500 connections) it runs, back to back
 * in one process: GET /api/health (no-op baseline), then POST
 * /api/stripe/webhook with distinct, correctly signed, paid
 * checkout.session.completed events (each creates an order and enqueues its
 * workflow in one transaction). It prints req/s, p50, p99, non-2xx and errors,
 * and the p99 ratio webhook / no-op. Goal: ≤ 2× at 200 connections, 0 non-2xx.
 *
 * Uses DATABASE_URL's server (a new scratch database on it) or embedded
 * PostgreSQL. No worker runs: this measures intake, not generation.
 */
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { connectClient } from '../src/db/pool';
import { buildCheckoutSessionCompletedEvent, signStripePayload } from '../src/payments/dev-events';
import { createLogger } from '../src/logging/logger';
import { createScratchDatabase } from './scratch-database';
import { anyFreePort } from '../src/launcher/ports';
import { serviceCommands, spawnService, stopService, waitForHttp } from '../src/launcher/services';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const LEVELS = (process.env.BENCH_CONNECTIONS ?? '50,200,500').split(',').map(Number);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const EVENTS_PER_LEVEL = Number(process.env.BENCH_EVENTS ?? 20000);

if (process.argv.includes('--help')) {
  console.log(`usage: npm run bench:webhook
env: BENCH_CONNECTIONS (default 50,200,500), BENCH_DURATION_S (10), BENCH_EVENTS per level (20000),
     WEB_DB_POOL_SIZE (the server's pool; unset: its default),
     DATABASE_URL (unset: embedded PostgreSQL; set: also SONGSWIPE_LOCAL_MODE=1), BENCH_SKIP_BUILD=1 to reuse the last production build.`);
  process.exit(0);
}

const log = createLogger({ level: 'warn' });
const scratch = await createScratchDatabase(log);
const runtime = scratch.env;
const dbUrl = scratch.url;

if (process.env.BENCH_SKIP_BUILD !== '1' || !existsSync('.next/BUILD_ID')) {
  console.log('building the production server (BENCH_SKIP_BUILD=1 reuses the last build)…');
  execFileSync('npm', ['run', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] });
}

const port = await anyFreePort();
const base = `http://127.0.0.1:${port}`;
const secret = runtime.env.STRIPE_WEBHOOK_SECRET[0]!;
const web = spawnService(
  'web',
  serviceCommands('start', port).web,
  { ...runtime.childEnv, DATABASE_URL: dbUrl, PORT: String(port), LOG_LEVEL: 'warn', NODE_ENV: 'production' },
  () => {},
);

async function prepareEvents(count: number): Promise<{ body: string; signature: string }[]> {
  const db = await connectClient({ connectionString: dbUrl });
  const { rows } = await db.query<{ user_id: string; id: string }>(
    `with users as (
       insert into auth.users (id, email) select gen_random_uuid(), 'bench' || n || '@example.test' from generate_series(1, $1) n returning id
     )
     insert into public.customizations (user_id, recipient_name, occasion, occasion_date, genre, mood, story)
     select id, 'Bench', 'birthday', '2027-01-01', 'pop', 'happy', 'A benchmark story.' from users returning user_id, id`,
    [count],
  );
  await db.end();
  return Promise.all(
    rows.map((r) =>
      signStripePayload(
        buildCheckoutSessionCompletedEvent({
          userId: r.user_id,
          customizationId: r.id,
          amount: runtime.env.SONG_PRICE_AMOUNT,
          currency: runtime.env.SONG_PRICE_CURRENCY,
          email: `${randomUUID()}@example.test`,
        }),
        secret,
      ),
    ),
  );
}

interface Row {
  connections: number;
  route: string;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function run(connections: number, route: 'no-op' | 'webhook', events: { body: string; signature: string }[]): Promise<Row> {
  let next = 0;
  const result = await autocannon({
    url: base,
    connections,
    duration: DURATION_S,
    requests:
      route === 'no-op'
        ? [{ method: 'GET', path: '/api/health' }]
        : [
            {
              method: 'POST',
              path: '/api/stripe/webhook',
              setupRequest: (req) => {
                const e = events[next++ % events.length]!;
                return { ...req, body: e.body, headers: { 'content-type': 'application/json', 'stripe-signature': e.signature } };
              },
            },
          ],
  });
  if (route === 'webhook' && next > events.length) console.warn(`  (ran out of distinct events: ${next - events.length} duplicates sent)`);
  return {
    connections,
    route,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

try {
  await waitForHttp(`${base}/api/health`, 60_000);
  const rows: Row[] = [];
  for (const connections of LEVELS) {
    process.stdout.write(`preparing ${EVENTS_PER_LEVEL} signed events for ${connections} connections… `);
    const events = await prepareEvents(EVENTS_PER_LEVEL);
    console.log('running');
    // Warm both routes so JIT and pools are not part of the first figures.
    await fetch(`${base}/api/health`);
    rows.push(await run(connections, 'no-op', events));
    rows.push(await run(connections, 'webhook', events));
  }
  console.log(
    `\nPOST /api/stripe/webhook vs GET /api/health (no-op), ${DURATION_S} s each, same server, node ${process.version}, web pool ${process.env.WEB_DB_POOL_SIZE ?? 'default'}\n`,
  );
  console.log('| connections | route | req/s | p50 ms | p99 ms | non-2xx | errors | p99 ratio |');
  console.log('|---:|---|---:|---:|---:|---:|---:|---:|');
  for (let i = 0; i < rows.length; i += 2) {
    const [noop, hook] = [rows[i]!, rows[i + 1]!];
    const ratio = (hook.p99 / Math.max(noop.p99, 1)).toFixed(2);
    for (const r of [noop, hook]) {
      console.log(
        `| ${r.connections} | ${r.route} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.non2xx} | ${r.errors} | ${r === hook ? `${ratio}×` : ''} |`,
      );
    }
  }
  const check = await connectClient({ connectionString: dbUrl });
  const { rows: counts } = await check.query(
    `select (select count(*) from public.orders)::int as orders, (select count(*) from dbos.workflow_status)::int as workflows`,
  );
  await check.end();
  console.log(`\nrecorded: ${counts[0].orders} orders, ${counts[0].workflows} enqueued workflows`);
} finally {
  await stopService(web);
  await scratch.drop();
}
