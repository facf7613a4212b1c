/**
 * `npm run bench:intake`: the payment intake's cost per event without HTTP or
 * concurrency, so it is far less sensitive to a busy machine than
 * `bench:webhook`: N distinct, signed, paid `checkout.session.completed`
 * events through `handleStripeWebhook`, one after another, in this process.
 * Prints per event: wall time (p50, p99), this process's CPU time (user +
 * system), and the statements sent to Postgres (counted on the pool's clients,
 * begin/commit included).
 *
 * BENCH_POOL_SWEEP=2,4,8,16: then compares pool sizes under concurrent intake
 * (`poolSweep`), which is how WEB_DB_POOL_SIZE's default was chosen.
 *
 * `-- --cpu-prof`: also writes a V8 CPU profile of exactly the measured loop
 * (the inspector's Profiler, as `node --cpu-prof` records it, but without the
 * setup) to `intake.cpuprofile` in a temp folder, and prints where its time
 * went, by package and by function (docs/benchmarks.md "Where the time goes").
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { createPool } from '../src/db/pool';
import { destroyDbosClients } from '../src/generation/enqueue';
import { getDbosScheduler } from '../src/generation/dbos-scheduler';
import { createLogger } from '../src/logging/logger';
import { buildCheckoutSessionCompletedEvent, signStripePayload } from '../src/payments/dev-events';
import { handleStripeWebhook } from '../src/payments/handle-webhook';
import { createScratchDatabase } from './scratch-database';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 500);
const PROFILE = process.argv.includes('--cpu-prof');
/** Pool sizes to compare under concurrent intake (BENCH_POOL_SWEEP=2,4,8,16), each twice, interleaved. */
const SWEEP = (process.env.BENCH_POOL_SWEEP ?? '').split(',').filter(Boolean).map(Number);
const SWEEP_CONCURRENCY = Number(process.env.BENCH_SWEEP_CONCURRENCY ?? 64);
const SWEEP_EVENTS = 600;
const WARMUP = 50;
const SECRET = 'whsec_bench_intake_sequential';
const PRICE = { amount: 1900, currency: 'usd' };

const log = createLogger({ level: 'warn' });
const scratch = await createScratchDatabase(log);
const pool = createPool({ connectionString: scratch.url, max: 2 });
let statements = 0;
/** Wall time per kind of statement (its first words), ms, summed over the measured loop. */
const statementMs = new Map<string, { n: number; ms: number }>();
pool.on('connect', (client: pg.PoolClient) => {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    statements++;
    const text = typeof args[0] === 'string' ? args[0] : String((args[0] as { text?: string })?.text);
    const label = text.replace(/\s+/g, ' ').trim().slice(0, 60);
    const start = performance.now();
    const result = query(...args);
    if (!(result instanceof Promise)) return result; // pool.query's own callback form
    // node-postgres queues a client's queries, so this includes the wait behind the previous one (none here: one at a time)
    void result.then(
      () => {
        const s = statementMs.get(label) ?? { n: 0, ms: 0 };
        statementMs.set(label, { n: s.n + 1, ms: s.ms + performance.now() - start });
      },
      () => {},
    );
    return result;
  };
});

try {
  const events = await signedPaidEvents(pool, EVENTS + WARMUP);
  const deps = { db: pool, scheduler: await getDbosScheduler(scratch.url), webhookSecrets: [SECRET], livemode: false, price: PRICE, log };
  for (const e of events.slice(0, WARMUP)) await handleStripeWebhook(deps, e.body, e.signature);

  const walls: number[] = [];
  const inspector = new Session();
  if (PROFILE) {
    inspector.connect();
    await inspector.post('Profiler.enable');
    await inspector.post('Profiler.setSamplingInterval', { interval: 100 });
    await inspector.post('Profiler.start');
  }
  statements = 0;
  statementMs.clear();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const e of events.slice(WARMUP)) {
    const start = performance.now();
    const result = await handleStripeWebhook(deps, e.body, e.signature);
    walls.push(performance.now() - start);
    if (result.outcome !== 'fulfilled') throw new Error(`unexpected outcome ${result.outcome}`);
  }
  const elapsed = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  console.log('\n| statement (first words) | per event | wall ms/event |\n|---|---:|---:|');
  for (const [label, { n, ms }] of [...statementMs.entries()].sort((x, y) => y[1].ms - x[1].ms)) {
    console.log(`| \`${label}\` | ${(n / EVENTS).toFixed(1)} | ${(ms / EVENTS).toFixed(2)} |`);
  }
  if (PROFILE) {
    const { profile } = await inspector.post('Profiler.stop');
    inspector.disconnect();
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'songswipe-intake-prof-')), 'intake.cpuprofile');
    writeFileSync(file, JSON.stringify(profile));
    summarize(profile as CpuProfile, EVENTS, file);
  }
  walls.sort((a, b) => a - b);
  const pct = (p: number) => walls[Math.min(walls.length - 1, Math.floor(p * walls.length))]!.toFixed(2);
  console.log(`\npayment intake, ${EVENTS} paid checkout events one after another, in process, node ${process.version}\n`);
  console.log('| events/s | wall p50 ms | wall p99 ms | CPU ms/event (this process) | statements/event |');
  console.log('|---:|---:|---:|---:|---:|');
  console.log(
    `| ${((EVENTS / elapsed) * 1000).toFixed(0)} | ${pct(0.5)} | ${pct(0.99)} | ${((cpu.user + cpu.system) / 1000 / EVENTS).toFixed(2)} | ${(statements / EVENTS).toFixed(1)} |`,
  );
  if (SWEEP.length) await poolSweep();
} finally {
  await pool.end();
  await destroyDbosClients();
  await scratch.drop();
}

/** `count` new users with a customization each, and a signed, paid checkout.session.completed for each. */
async function signedPaidEvents(db: pg.Pool, count: number): Promise<{ body: string; signature: string }[]> {
  const { rows } = await db.query<{ user_id: string; id: string }>(
    `with users as (
       insert into auth.users (id, email) select gen_random_uuid(), 'intake-' || gen_random_uuid() || '@example.test' from generate_series(1, $1) returning id
     )
     insert into public.customizations (user_id, recipient_name, occasion, occasion_date, genre, mood, story)
     select id, 'Bench', 'birthday', '2027-01-01', 'pop', 'happy', 'A benchmark story.' from users returning user_id, id`,
    [count],
  );
  return Promise.all(
    rows.map((r) =>
      signStripePayload(
        buildCheckoutSessionCompletedEvent({ userId: r.user_id, customizationId: r.id, ...PRICE, email: `${randomUUID()}@example.test` }),
        SECRET,
      ),
    ),
  );
}

/**
 * The web pool's size, measured: SWEEP_CONCURRENCY deliveries in flight at once
 * (as many webhook requests would be), through a pool of each size, in rounds
 * that interleave the sizes so a busy machine's load drifts over all of them alike.
 */
async function poolSweep(): Promise<void> {
  const results = new Map<number, { rate: number[]; p99: number[] }>();
  for (let round = 0; round < 2; round++) {
    for (const size of SWEEP) {
      const sized = createPool({ connectionString: scratch.url, max: size });
      const events = await signedPaidEvents(sized, SWEEP_EVENTS);
      const deps = { db: sized, scheduler: await getDbosScheduler(scratch.url), webhookSecrets: [SECRET], livemode: false, price: PRICE, log };
      const walls: number[] = [];
      let next = 0;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: SWEEP_CONCURRENCY }, async () => {
          while (next < events.length) {
            const e = events[next++]!;
            const start = performance.now();
            await handleStripeWebhook(deps, e.body, e.signature);
            walls.push(performance.now() - start);
          }
        }),
      );
      const elapsed = performance.now() - t0;
      await sized.end();
      walls.sort((a, b) => a - b);
      const r = results.get(size) ?? { rate: [], p99: [] };
      r.rate.push((events.length / elapsed) * 1000);
      r.p99.push(walls[Math.floor(0.99 * walls.length)]!);
      results.set(size, r);
    }
  }
  const fmt = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
  console.log(`\npool sweep: ${SWEEP_CONCURRENCY} deliveries in flight, ${SWEEP_EVENTS} events per run, two interleaved rounds\n`);
  console.log('| pool size | events/s (round 1, 2) | p99 ms (round 1, 2) |\n|---:|---:|---:|');
  for (const [size, r] of results) console.log(`| ${size} | ${fmt(r.rate)} | ${fmt(r.p99)} |`);
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time per package (or src/ folder) and per function, in ms per event, the top 12 of each. */
function summarize(profile: CpuProfile, events: number, file: string): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)!;
    const us = profile.timeDeltas[i] ?? 0;
    const url = frame.url.replace(/^file:\/\//, '');
    const pkg = url.includes('node_modules/')
      ? url
          .split('node_modules/')
          .at(-1)!
          .split('/')
          .slice(0, url.split('node_modules/').at(-1)!.startsWith('@') ? 2 : 1)
          .join('/')
      : url.includes('/src/')
        ? `src/${url.split('/src/')[1]!.split('/')[0]}`
        : url.startsWith('node:')
          ? 'node internals'
          : frame.functionName.startsWith('(')
            ? frame.functionName
            : url || '(native)';
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
    const fn = `${frame.functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${frame.lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
  });
  const top = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([k, us]) => `| ${k} | ${(us / 1000 / events).toFixed(3)} |`)
      .join('\n');
  console.log(`\nCPU profile of the loop: ${file}\n\n| package or folder (self time) | ms/event |\n|---|---:|\n${top(byPackage)}`);
  console.log(`\n| function (self time) | ms/event |\n|---|---:|\n${top(byFunction)}`);
}
