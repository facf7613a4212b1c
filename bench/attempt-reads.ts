/**
 * `npx tsx bench/attempt-reads.ts`: the database work on the hot path of every
 * provider call (src/generation/variant-attempt.ts), before and after issue 14
 * folded it into two statements, side by side in one process on a scratch
 * database (DATABASE_URL's server, or embedded PostgreSQL).
 *
 * - baseline: the eight statements an attempt ran before the call (variant,
 *   order, delivered audio, pause, close abandoned calls, customization, mark
 *   generating, ledger insert);
 * - combined: `loadAttemptContext` + `startVariantCall`, which also read the
 *   variant's prompt revision (issue 14) at no extra round trip.
 *
 * Rounds alternate between the two so drift in the shared machine's load hits
 * both alike. Prints ms per attempt (median of rounds) and the ratio.
 */
import { getCustomization } from '../src/db/customizations';
import { getGenerationPause } from '../src/db/generation-control';
import { getOrderForGeneration } from '../src/db/orders';
import { createPool, type Db } from '../src/db/pool';
import { closeAbandonedProviderCalls, findDeliveredAudio, recordProviderCallFailed, startProviderCall } from '../src/db/provider-calls';
import { getVariant, markVariantGenerating } from '../src/db/song-variants';
import { loadAttemptContext, startVariantCall } from '../src/db/variant-attempt-reads';
import { createLogger } from '../src/logging/logger';
import { createScratchDatabase } from './scratch-database';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 300);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);

async function baseline(db: Db, orderId: string): Promise<string> {
  const variant = await getVariant(db, { orderId, variantNumber: 1 });
  const order = await getOrderForGeneration(db, orderId);
  await findDeliveredAudio(db, { orderId, variantNumber: 1 });
  await getGenerationPause(db);
  await closeAbandonedProviderCalls(db, { orderId, variantNumber: 1 });
  await getCustomization(db, order!.customizationId);
  if (!variant || !(await markVariantGenerating(db, { orderId, variantNumber: 1 }))) throw new Error('not marked');
  return startProviderCall(db, { orderId, variantNumber: 1, provider: 'bench' });
}

async function combined(db: Db, orderId: string): Promise<string> {
  const context = await loadAttemptContext(db, orderId, 1);
  if (!context?.customization) throw new Error('no context');
  const id = await startVariantCall(db, { orderId, variantNumber: 1, provider: 'bench', promptSource: 'original' });
  if (!id) throw new Error('not marked');
  return id;
}

const log = createLogger({ level: 'warn' });
const scratch = await createScratchDatabase(log);
const db = createPool({ connectionString: scratch.url, max: 2 });
try {
  const { rows } = await db.query<{ id: string }>(
    `with u as (insert into auth.users (id, email) values (gen_random_uuid(), 'bench@example.test') returning id),
          c as (insert into public.customizations (user_id, recipient_name, occasion, occasion_date, genre, mood, story)
                select id, 'Ada', 'birthday', '2027-01-01', 'folk', 'warm', 'A story.' from u returning id, user_id),
          o as (insert into public.orders (user_id, customization_id, stripe_session_id, status, amount, currency, occasion_date)
                select user_id, id, 'cs_bench', 'paid', 2900, 'usd', '2027-01-01' from c returning id, user_id),
          v as (insert into public.song_variants (order_id, user_id, variant_number) select id, user_id, 1 from o)
     select id from o`,
  );
  const orderId = rows[0]!.id;
  const timings: Record<'baseline' | 'combined', number[]> = { baseline: [], combined: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, attempt] of [
      ['baseline', baseline],
      ['combined', combined],
    ] as const) {
      let spent = 0;
      for (let i = 0; i < ITERATIONS; i++) {
        const started = performance.now();
        const callId = await attempt(db, orderId);
        spent += performance.now() - started;
        await recordProviderCallFailed(db, { id: callId, error: 'bench' }); // close it, outside the timing, as the call's outcome would
      }
      timings[name].push(spent / ITERATIONS);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const [b, c] = [median(timings.baseline), median(timings.combined)];
  console.log(`attempt bookkeeping before a provider call, ${ROUNDS} rounds × ${ITERATIONS} attempts, one connection:`);
  console.log(`  baseline (8 statements): ${b.toFixed(3)} ms per attempt`);
  console.log(`  combined (2 statements, + prompt revision): ${c.toFixed(3)} ms per attempt`);
  console.log(`  ratio combined / baseline: ${(c / b).toFixed(2)}`);
} finally {
  await db.end();
  await scratch.drop();
}
