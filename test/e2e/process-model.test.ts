/**
 * The process model from the production build (issue 17): `npm run start:web`
 * and `npm run start:worker` as separate processes, each held to its
 * connection budget (counted in pg_stat_activity by application_name); a
 * worker's failure never takes the web app down; and the web app drains on
 * SIGTERM: /api/ready answers 503 while it still serves, then it exits.
 */
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_VERSION } from '../../src/generation/workflow-names';
import { anyFreePort } from '../../src/launcher/ports';
import { spawnService, stopService, waitForHttp } from '../../src/launcher/services';
import { signStripePayload } from '../../src/payments/dev-events';
import { ensureProductionBuild } from '../support/built-server';
import { createTestDatabase, createUser, type TestDatabase } from '../support/database';
import { createCustomizationRow, eventually, paidEvent, WEBHOOK_SECRET } from '../support/fixtures';
import { tempDir } from '../support/temp-dir';

let db: TestDatabase;
/** This test's own connections, named so they are not counted as the app's. */
let pool: TestDatabase['pool'];
const started: ChildProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  pool = db.newPool({ application_name: 'process-model-test' });
  await ensureProductionBuild();
}, 600_000);
afterAll(async () => {
  await Promise.all(started.map((c) => stopService(c, 20_000)));
});

/** A launcher (`scripts/run.ts start …`, as `npm run start*` runs it) from the production build, in local mode. */
function launch(args: string[], port: number, env: Record<string, string>, output: string[]): ChildProcess {
  const child = spawnService(
    'launcher',
    [process.execPath, '--import', 'tsx', 'scripts/run.ts', 'start', ...args, '--no-migrate'],
    {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      SONGSWIPE_LOCAL_MODE: '1',
      DATABASE_URL: db.url,
      PORT: String(port),
      APP_URL: `http://localhost:${port}`,
      DATA_DIR: tempDir('e2e'),
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      SUPABASE_JWT_SECRET: 'j'.repeat(32),
      STORAGE_SIGNING_SECRET: 's'.repeat(32),
      SYNTH_LATENCY_MS: '300',
      SONG_LENGTH_MS: '3000',
      LOG_LEVEL: 'info',
      ...env,
    },
    (line) => output.push(line),
  );
  started.push(child);
  return child;
}

/** Pays for a new order by posting a signed checkout.session.completed to the web app. */
async function payOverHttp(base: string): Promise<string> {
  const user = await createUser(pool);
  const event = paidEvent(user, await createCustomizationRow(pool, user));
  const { body, signature } = await signStripePayload(event, WEBHOOK_SECRET);
  const res = await fetch(`${base}/api/stripe/webhook`, {
    method: 'POST',
    body,
    headers: { 'stripe-signature': signature, 'content-type': 'application/json' },
  });
  expect(res.status).toBe(200);
  return event.data.object.id;
}

const completeOrders = async (sessionIds: string[]) =>
  (
    await pool.query<{ n: number }>(
      `select count(*)::int as n from public.orders o where o.stripe_session_id = any($1)
       and (select count(*) from public.song_variants v where v.order_id = o.id and v.generation_status = 'complete') = 3`,
      [sessionIds],
    )
  ).rows[0]!.n;

/** Samples this database's connections per application_name every 20 ms until `done` settles; returns each name's maximum. */
async function peakConnections(done: Promise<unknown>): Promise<Record<string, number>> {
  const peak: Record<string, number> = {};
  let finished = false;
  void done.finally(() => (finished = true));
  while (!finished) {
    const { rows } = await pool.query<{ name: string; n: number }>(
      `select application_name as name, count(*)::int as n from pg_stat_activity where datname = $1 and application_name <> 'process-model-test' group by 1`,
      [db.name],
    );
    for (const r of rows) peak[r.name] = Math.max(peak[r.name] ?? 0, r.n);
    await new Promise((r) => setTimeout(r, 20));
  }
  await done;
  return peak;
}

const sum = (peak: Record<string, number>, match: (name: string) => boolean) =>
  Object.entries(peak)
    .filter(([name]) => match(name))
    .reduce((n, [, v]) => n + v, 0);

describe('npm run start:web and npm run start:worker, separately, from the production build', () => {
  it('serve orders end to end, each process within its pool sizes, and the web app outlives the worker', async () => {
    const port = await anyFreePort();
    const base = `http://localhost:${port}`;
    const webOutput: string[] = [];
    const workerOutput: string[] = [];
    const budget = { WEB_DB_POOL_SIZE: '2', DBOS_CLIENT_POOL_SIZE: '1', WORKER_DB_POOL_SIZE: '2', DBOS_SYSTEM_POOL_SIZE: '3' };
    launch(['--only=web'], port, budget, webOutput);
    const worker = launch(['--only=worker'], port, { ...budget, WORKER_EXECUTOR_ID: 'pm-worker', GENERATION_CONCURRENCY: '4' }, workerOutput);
    await waitForHttp(`${base}/api/health`, 120_000);
    // Sample once the worker is ready: DBOS's launch checks its schema on short-lived unnamed connections.
    await eventually(async () => workerOutput.some((l) => l.includes('worker ready')), 60_000, `worker ready; output:\n${workerOutput.join('\n')}`);

    const load = (async () => {
      const sessions = await Promise.all(Array.from({ length: 4 }, () => payOverHttp(base)));
      // the web pool under a burst of readiness checks (each a transaction)
      await Promise.all(Array.from({ length: 30 }, () => fetch(`${base}/api/ready`).then((r) => r.arrayBuffer())));
      await eventually(async () => (await completeOrders(sessions)) === 4, 120_000, '4 orders generated by the separate worker');
    })();
    const peak = await peakConnections(load);
    console.log('peak connections by application_name:', peak);

    expect(peak['songswipe-web']).toBe(2); // reached under the burst, never more
    expect(peak['songswipe-dbos-client'] ?? 0).toBeLessThanOrEqual(1);
    expect(peak['songswipe-worker']).toBeLessThanOrEqual(2);
    expect(peak[`dbos_transact_pm-worker_${APP_VERSION}`]).toBeLessThanOrEqual(3);
    // every connection is named, and belongs to one of the two processes' budgets
    const web = sum(peak, (n) => n === 'songswipe-web' || n === 'songswipe-dbos-client');
    const worker_ = sum(peak, (n) => n.includes('pm-worker') || n === 'songswipe-worker');
    expect(sum(peak, () => true)).toBe(web + worker_);
    expect(web).toBeLessThanOrEqual(2 + 1);
    expect(worker_).toBeLessThanOrEqual(2 + 3 + 1 + 1); // pool, DBOS system pool (its LISTEN included), executor lock, takeover sweep

    // The worker dies for good (its launcher killed): the web app keeps serving.
    worker.kill('SIGKILL');
    await eventually(
      async () => !(await pool.query(`select 1 from pg_stat_activity where application_name like '%pm-worker%'`)).rowCount,
      30_000,
      'worker gone',
    );
    expect((await fetch(`${base}/api/health`)).status).toBe(200);
    expect((await fetch(`${base}/api/ready`)).status).toBe(200);
    expect(await payOverHttp(base)).toMatch(/^cs_/);
  }, 400_000);
});

describe('npm start (all in one) from the production build', () => {
  it('restarts a killed worker without touching the web app; on SIGTERM the web app answers /api/ready 503 while it drains, then exits', async () => {
    const port = await anyFreePort();
    const base = `http://localhost:${port}`;
    const output: string[] = [];
    const launcher = launch([], port, { WORKER_EXECUTOR_ID: 'pm-all-in-one', WEB_DRAIN_MS: '4000' }, output);
    await waitForHttp(`${base}/api/health`, 120_000);
    const workerPid = () => {
      const out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(launcher.pid)], { encoding: 'utf8' });
      return Number(
        out
          .split('\n')
          .find((l) => l.includes('dist/worker.mjs'))
          ?.trim()
          .split(/\s+/)[0],
      );
    };
    const first = await eventually(async () => workerPid() || undefined, 60_000, 'worker process');
    process.kill(first, 'SIGKILL');
    const second = await eventually(async () => (workerPid() && workerPid() !== first ? workerPid() : undefined), 60_000, 'a new worker');
    expect(second).not.toBe(first);
    expect((await fetch(`${base}/api/ready`)).status).toBe(200);
    const session = await payOverHttp(base);
    await eventually(async () => (await completeOrders([session])) === 1, 120_000, 'an order generated by the restarted worker');

    const exited = new Promise<number | null>((resolve) => launcher.once('exit', (code) => resolve(code)));
    launcher.kill('SIGTERM');
    const ready = await eventually(
      async () => {
        const r = await fetch(`${base}/api/ready`).catch(() => null);
        return r?.status === 503 ? r : undefined;
      },
      3000,
      '503 from /api/ready while draining',
    );
    expect(await ready.json()).toMatchObject({ error: { code: 'service_unavailable' } });
    // still serving everything else meanwhile
    expect((await fetch(`${base}/api/health`)).status).toBe(200);
    expect(await exited).toBe(0);
    await expect(fetch(`${base}/api/health`)).rejects.toThrow();
    expect(output.join('\n')).toContain('SIGTERM: draining');
  }, 400_000);
});
