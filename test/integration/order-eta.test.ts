import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DBOS } from '@dbos-inc/dbos-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/db/migrate';
import { getOrderView } from '../../src/delivery/order-view';
import type { MusicProvider } from '../../src/generation/providers/music-provider';
import { createSynthProvider } from '../../src/generation/providers/synth-provider';
import { launchInProcessWorker, testGenerationDeps } from '../support/worker';
import { createTestDatabase, createUser, type TestDatabase } from '../support/database';
import { createCustomizationRow, deliver, eventually, paidEvent, webhookDeps } from '../support/fixtures';

const MEDIAN_MS = 60_000;
let db: TestDatabase;
let storage: ReturnType<typeof testGenerationDeps>['storage'];
let calls = 0;
let release!: () => void;
const held = new Promise<void>((resolve) => (release = resolve));
const synth = createSynthProvider();
const provider: MusicProvider = {
  name: 'held-synth',
  async generate(prompt, options) {
    if (++calls === 1) await held;
    return synth.generate(prompt, options);
  },
};

beforeAll(async () => {
  db = await createTestDatabase();
  const deps = testGenerationDeps(db.pool, provider, { lengthMs: 1000 });
  storage = deps.storage;
  await launchInProcessWorker(db.url, deps, 'eta-test', 1);
});

afterAll(async () => {
  await DBOS.shutdown();
});

async function pay(occasionDate: string) {
  const userId = await createUser(db.pool);
  const event = paidEvent(userId, await createCustomizationRow(db.pool, userId, { occasion_date: occasionDate }));
  await deliver(await webhookDeps(db.pool, db.url), event);
  const { rows } = await db.pool.query<{ id: string }>('select id from public.orders where stripe_session_id = $1', [event.data.object.id]);
  return { orderId: rows[0]!.id, userId };
}

const view = (o: { orderId: string; userId: string }) =>
  getOrderView({ db: db.pool, storage, signedUrlTtlSeconds: 60, appUrl: 'http://app.test' }, { sub: o.userId, role: 'authenticated' }, o.orderId);

describe('order ETA from the live provider queue (1 slot)', () => {
  it('places each order behind the work ahead of it at the measured median call time, and says null once settled', async () => {
    const blocker = await pay('2099-01-01');
    await eventually(async () => calls === 1, 30_000, 'the blocker to hold the only slot');
    // Recent history in the ledger: successful calls of 60 s (and one failure, which does not count).
    await db.pool.query(
      `insert into public.provider_calls (order_id, variant_number, provider, started_at, finished_at, outcome)
       select $1::uuid, 5, 'history', now() - interval '1 hour' - make_interval(secs => $2::float8 / 1000), now() - interval '1 hour', 'success' from generate_series(1, 9)
       union all select $1::uuid, 5, 'history', now() - interval '2 hours', now() - interval '1 hour', 'error'`,
      [blocker.orderId, MEDIAN_MS],
    );
    const soon = await pay('2026-12-20');
    const later = await pay('2027-03-01');
    await eventually(
      async () => {
        const { rows } = await db.pool.query(`select count(*)::int as n from dbos.workflow_status where queue_name = 'music-provider' and status = 'ENQUEUED'`);
        return rows[0].n === 2 + 3 + 3;
      },
      30_000,
      'every variant queued',
    );

    const before = Date.now();
    const [soonView, laterView, blockerView] = [await view(soon), await view(later), await view(blocker)];
    // The blocker's running call frees the slot within a median; then 3 variants each of "soon", then "later".
    expect(soonView.queuePosition).toBe(0);
    expect(laterView.queuePosition).toBe(3);
    expect(blockerView.queuePosition).toBe(6); // its last two variants: the furthest occasion waits
    const inMedians = (v: { estimatedReadyAt: string | null }) => (Date.parse(v.estimatedReadyAt!) - before) / MEDIAN_MS;
    expect(inMedians(soonView)).toBeGreaterThan(3.5);
    expect(inMedians(soonView)).toBeLessThanOrEqual(4.05);
    expect(inMedians(laterView)).toBeGreaterThan(6.5);
    expect(inMedians(laterView)).toBeLessThanOrEqual(7.05);
    expect(inMedians(blockerView)).toBeGreaterThan(8.5);
    expect(inMedians(blockerView)).toBeLessThanOrEqual(9.05);

    // The operator's view of the same queue.
    const cli = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/admin.ts', 'status'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, DATABASE_URL: db.url },
    });
    expect(cli.stdout).toContain('provider queue (music-provider): 8 queued, 1 running');
    expect(cli.stdout).toContain('order workflows (song-generation): 0 queued, 3 running');
    expect(cli.stdout).toContain('provider calls in flight: 1 of 1');
    expect(cli.stdout).toContain('median call time: 60.0 s');
    expect(cli.stdout).toMatch(/backlog cleared: in (8\.[5-9]|9\.0) min/); // 1 running + 8 queued on 1 slot

    release();
    await eventually(async () => (await view(later)).generationStatus === 'complete', 60_000, 'the last order to complete');
    expect(await view(later)).toMatchObject({ generationStatus: 'complete', estimatedReadyAt: null, queuePosition: null });
  }, 120_000);
});
