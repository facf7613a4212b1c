import { DBOS } from '@dbos-inc/dbos-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MusicProvider } from '../../src/generation/providers/music-provider';
import { createSynthProvider } from '../../src/generation/providers/synth-provider';
import { launchInProcessWorker, testGenerationDeps } from '../support/worker';
import { createTestDatabase, createUser, type TestDatabase } from '../support/database';
import { createCustomizationRow, deliver, eventually, paidEvent, webhookDeps } from '../support/fixtures';

let db: TestDatabase;
/** Recipient of each provider call, in the order the calls were made. */
const served: string[] = [];
let release!: () => void;
const firstCallHeld = new Promise<void>((resolve) => (release = resolve));
const synth = createSynthProvider();
const provider: MusicProvider = {
  name: 'recording-synth',
  async generate(prompt, options) {
    served.push(/written for ([^;]+);/.exec(prompt.text)![1]!);
    if (served.length === 1) await firstCallHeld; // the one slot stays busy while the spike is paid
    return synth.generate(prompt, options);
  },
};

beforeAll(async () => {
  db = await createTestDatabase();
  await launchInProcessWorker(db.url, testGenerationDeps(db.pool, provider, { lengthMs: 1000 }), 'priority-test', 1);
});

afterAll(async () => {
  await DBOS.shutdown();
});

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

async function pay(recipient: string, occasionDate: string): Promise<string> {
  const user = await createUser(db.pool);
  const event = paidEvent(user, await createCustomizationRow(db.pool, user, { recipient_name: recipient, occasion_date: occasionDate }));
  await deliver(await webhookDeps(db.pool, db.url), event);
  const { rows } = await db.pool.query<{ id: string }>('select id from public.orders where stripe_session_id = $1', [event.data.object.id]);
  return rows[0]!.id;
}

async function queuedVariants(): Promise<number> {
  const { rows } = await db.pool.query(`select count(*)::int as n from dbos.workflow_status where queue_name = 'music-provider' and status = 'ENQUEUED'`);
  return rows[0].n;
}

describe('earliest occasion first on the provider queue (1 slot)', () => {
  it('serves a spike by occasion date, a past date first, equal dates first-paid first-served', async () => {
    const blocker = await pay('Blocker', day(400));
    await eventually(async () => served.length === 1, 30_000, 'the blocker to hold the only slot');

    // Paid latest-occasion first, the order that a first-come queue would serve them in.
    // Paid back to back: their order workflows start together and queue their variants in no fixed order.
    const spike: [string, number][] = [
      ['In40', 40],
      ['In20', 20],
      ['TieA', 5],
      ['In10', 10],
      ['TieB', 5],
      ['In2', 2],
      ['TieC', 5],
      ['In1', 1],
      ['Past', -3],
    ];
    const ids: string[] = [];
    for (const [name, offset] of spike) ids.push(await pay(name, day(offset)));
    await eventually(async () => (await queuedVariants()) === 2 + 3 * ids.length, 30_000, 'every variant queued');
    // Equal dates: the queue's own key already says first paid, first served, whatever order the variants were queued in.
    const tiePriorities: number[] = [];
    for (const name of ['TieA', 'TieB', 'TieC']) {
      const { rows } = await db.pool.query(`select distinct priority from dbos.workflow_status where workflow_uuid like $1`, [
        `order:${ids[spike.findIndex(([n]) => n === name)]}:variant:%`,
      ]);
      expect(rows).toHaveLength(1);
      tiePriorities.push(rows[0].priority);
    }
    expect(tiePriorities[0]).toBeLessThan(tiePriorities[1]!);
    expect(tiePriorities[1]).toBeLessThan(tiePriorities[2]!);
    release();
    await eventually(
      async () => {
        const { rows } = await db.pool.query(`select count(*)::int as n from dbos.workflow_status where name = 'generate-song' and status = 'SUCCESS'`);
        return rows[0].n === spike.length + 1;
      },
      150_000,
      `every order to finish; served so far: ${served.join(' ')}`,
    );

    const expected = ['Past', 'In1', 'In2', 'TieA', 'TieB', 'TieC', 'In10', 'In20', 'In40'].flatMap((n) => [n, n, n]);
    expect(served).toEqual(['Blocker', ...expected, 'Blocker', 'Blocker']);
    const { rows } = await db.pool.query(`select count(*)::int as n from public.song_variants where generation_status = 'complete' and order_id = any($1)`, [
      [blocker, ...ids],
    ]);
    expect(rows[0].n).toBe(3 * (spike.length + 1));
  }, 240_000);
});
