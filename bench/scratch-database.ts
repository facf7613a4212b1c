import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connectClient, type Db } from '../src/db/pool';
import { getDbosScheduler } from '../src/generation/dbos-scheduler';
import type { WebhookDeps } from '../src/payments/handle-webhook';
import type { Logger } from 'pino';
import { migrate } from '../src/db/migrate';
import { prepareRuntime } from '../src/launcher/runtime';

/**
 * A migrated scratch database for one benchmark run, on DATABASE_URL's server
 * (or the embedded one); `tempDir(kind)` makes a scratch folder; `drop()` drops
 * the database, removes those folders and stops what was started.
 */
export async function createScratchDatabase(
  log: Logger,
): Promise<{ url: string; env: Awaited<ReturnType<typeof prepareRuntime>>; tempDir(kind: string): string; drop(): Promise<void> }> {
  const runtime = await prepareRuntime(log, { migrate: false });
  const name = `songswipe_bench_${Date.now()}`;
  const admin = async (sql: string) => {
    const client = await connectClient({ connectionString: runtime.databaseUrl });
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`create database ${name}`);
  const url = Object.assign(new URL(runtime.databaseUrl), { pathname: `/${name}` }).toString();
  await migrate(url, log);
  const dirs: string[] = [];
  return {
    url,
    env: runtime,
    tempDir: (kind) => {
      const dir = mkdtempSync(path.join(tmpdir(), `${name}-${kind}-`));
      dirs.push(dir);
      return dir;
    },
    drop: async () => {
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
      await admin(`drop database if exists ${name} with (force)`);
      await runtime.stop();
    },
  };
}

/** The Stripe webhook secret the benchmarks sign their events with. */
export const BENCH_WEBHOOK_SECRET = 'whsec_bench_secret';

/**
 * Payment intake's dependencies for a benchmark that delivers signed events in
 * process: test mode, a $29.00 price (2900 cents), DBOS as the scheduler.
 */
export async function benchWebhookDeps(db: Db, url: string, log: Logger): Promise<WebhookDeps> {
  return {
    db,
    scheduler: await getDbosScheduler(url),
    webhookSecrets: [BENCH_WEBHOOK_SECRET],
    livemode: false,
    price: { amount: 2900, currency: 'usd' },
    log,
  };
}
