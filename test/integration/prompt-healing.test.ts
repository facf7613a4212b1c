/**
 * Issue 14, against the ElevenLabs wire stub and a real DBOS worker: a story
 * that names a band still becomes songs.
 *
 * The stub plays ElevenLabs' copyright filter: a prompt that contains a
 * refused name gets 400 `bad_prompt`, with `data.prompt_suggestion` (the same
 * prompt with the name rewritten) when the rule has one, or without (as for
 * harmful material, where ElevenLabs gives none).
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { DBOS } from '@dbos-inc/dbos-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retryFailedVariant } from '../../src/admin/operations';
import { PROJECT_ROOT } from '../../src/db/migrate';
import { listVariants } from '../../src/db/song-variants';
import { getOrderView } from '../../src/delivery/order-view';
import { orderStatusText } from '../../src/delivery/order-status-text';
import { ValidationError } from '../../src/errors';
import { getDbosClient } from '../../src/generation/enqueue';
import { dbosScheduler } from '../../src/generation/dbos-scheduler';
import { promptSha256 } from '../../src/generation/prompt';
import { createElevenLabsProvider } from '../../src/generation/providers/elevenlabs-provider';
import { createLogger } from '../../src/logging/logger';
import { createTestDatabase, createUser, type TestDatabase } from '../support/database';
import { callTarget, ELEVENLABS_ERRORS, startElevenLabsStub, type StubCall, type StubReply } from '../support/elevenlabs-stub';
import { eventually, payForOrder } from '../support/fixtures';
import { tempDir } from '../support/temp-dir';
import { launchInProcessWorker, testGenerationDeps } from '../support/worker';

/** Refused names, and ElevenLabs' rewrite of each (none: no suggestion). */
const REFUSED: Record<string, string | undefined> = {
  Coldplay: 'a stadium rock band', // heals at once
  Nirvana: 'Kurt', // the suggestion is refused too…
  Kurt: 'a nineties grunge band', // …and its own suggestion is not
  Metallica: undefined, // no suggestion: dead-letter, then the operator
};
/** Replies slower than usual to prompts made from a suggestion, so a test can watch the order page meanwhile. */
let suggestedLatencyMs = 0;

/** ElevenLabs' suggested plan for a prompt whose plan it refused: the recipient and variant kept in a lyric line. */
function suggestedPlan(call: StubCall) {
  const { recipient, variant } = callTarget(call);
  return {
    positive_global_styles: ['soulful pop', 'warm'],
    negative_global_styles: [],
    sections: [{ section_name: 'Chorus', positive_local_styles: ['big'], negative_local_styles: [], duration_ms: 10_000, lines: [`${recipient} ${variant}`] }],
  };
}

function copyrightFilter(call: StubCall): StubReply {
  if (call.compositionPlan) return { kind: 'ok' };
  if (call.prompt.includes('Beyoncé')) return ELEVENLABS_ERRORS.badCompositionPlan(suggestedPlan(call));
  const name = Object.keys(REFUSED).find((n) => call.prompt.includes(n));
  if (!name) return { kind: 'ok', latencyMs: call.prompt.includes('stadium rock band') ? suggestedLatencyMs : 0 };
  const rewrite = REFUSED[name];
  return ELEVENLABS_ERRORS.badPrompt(rewrite ? call.prompt.replaceAll(name, rewrite) : null);
}

let db: TestDatabase;
let stub: Awaited<ReturnType<typeof startElevenLabsStub>>;
let deps: ReturnType<typeof testGenerationDeps>;
/** Every log line the worker wrote, at debug level. */
const logLines: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  stub = await startElevenLabsStub({ script: copyrightFilter });
  const provider = createElevenLabsProvider({ apiKey: 'xi-test', baseUrl: stub.url, attemptTimeoutMs: 5000 });
  const log = createLogger({ level: 'debug', destination: { write: (line: string) => logLines.push(line) } });
  deps = testGenerationDeps(db.pool, provider, { log });
  await launchInProcessWorker(db.url, deps, 'prompt-healing-test', 3);
});

afterAll(async () => {
  if (process.env.DUMP_LOGS) console.log(logLines.slice(0, 40).join(''));
  await DBOS.shutdown();
  await stub.close();
});

const callsFor = (recipient: string) => stub.calls.filter((c) => callTarget(c).recipient === recipient);
async function ledger(orderId: string): Promise<Record<number, string[]>> {
  const { rows } = await db.pool.query<{ variant_number: number; outcome: string; prompt_source: string }>(
    'select variant_number, outcome, prompt_source from public.provider_calls where order_id = $1 order by id',
    [orderId],
  );
  const byVariant: Record<number, string[]> = {};
  for (const r of rows) byVariant[r.variant_number] = [...(byVariant[r.variant_number] ?? []), `${r.prompt_source}:${r.outcome}`];
  return byVariant;
}
async function revisions(orderId: string) {
  const { rows } = await db.pool.query(
    `select variant_number as "variantNumber", source, prompt, previous_prompt_sha256 as "previous", prompt_sha256 as "next", created_by as "createdBy"
     from public.prompt_revisions where order_id = $1 order by variant_number, id`,
    [orderId],
  );
  return rows;
}
function cli(args: string[]) {
  return promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/admin.ts', ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, DATABASE_URL: db.url },
  });
}

describe('self-healing prompts (ElevenLabs stub, DBOS worker)', () => {
  it('a story naming a band: every variant completes through the suggestion, marked provider_suggestion; the page says "adjusting" meanwhile', async () => {
    suggestedLatencyMs = 1500;
    const story = 'Our first dance was to a Coldplay song in the rain at Quillhaven pier.';
    const { orderId, userId } = await payForOrder(db, { recipient_name: 'Healed', story });
    // While the suggested prompts are being composed, the owner's page (read under RLS) says so, not "failed".
    const view = () =>
      getOrderView({ db: db.pool, storage: deps.storage, signedUrlTtlSeconds: 60, appUrl: 'http://app.test' }, { sub: userId, role: 'authenticated' }, orderId);
    const during = await eventually(
      async () => {
        const v = await view();
        return v.variants.some((x) => x.revisingPrompt) ? v : undefined;
      },
      20_000,
      'a variant being retried with a revised prompt',
    );
    expect(orderStatusText(during)).toMatch(/^We're adjusting your song's description/);
    expect(during.generationStatus).not.toBe('failed');

    await DBOS.retrieveWorkflow(`order:${orderId}`).getResult();
    suggestedLatencyMs = 0;
    const variants = await listVariants(db.pool, orderId);
    expect(variants.map((v) => v.status)).toEqual(['complete', 'complete', 'complete']);
    const { rows } = await db.pool.query('select prompt_source from public.song_variants where order_id = $1 order by variant_number', [orderId]);
    expect(rows.map((r) => r.prompt_source)).toEqual(['provider_suggestion', 'provider_suggestion', 'provider_suggestion']);
    expect((await view()).variants.map((v) => v.revisingPrompt)).toEqual([false, false, false]);
    expect(orderStatusText(await view())).toBe('All three songs are ready');

    // Calls: 6 (3 rejected + 3 suggested), each in the ledger with the prompt it used; the rejected ones count as calls.
    const calls = callsFor('Healed');
    expect(calls.map((c) => c.status).sort()).toEqual([200, 200, 200, 400, 400, 400]);
    expect(await ledger(orderId)).toEqual({
      1: ['original:error', 'provider_suggestion:success'],
      2: ['original:error', 'provider_suggestion:success'],
      3: ['original:error', 'provider_suggestion:success'],
    });
    // The audit: one revision per variant, by its workflow, from the rejected prompt's hash to the suggestion's.
    const audit = await revisions(orderId);
    expect(audit).toHaveLength(3);
    for (const r of audit) {
      const rejected = calls.find((c) => c.status === 400 && callTarget(c).variant === r.variantNumber)!;
      const accepted = calls.find((c) => c.status === 200 && callTarget(c).variant === r.variantNumber)!;
      expect(r).toMatchObject({
        source: 'provider_suggestion',
        prompt: accepted.prompt,
        previous: promptSha256(rejected.prompt),
        next: promptSha256(accepted.prompt),
        createdBy: `workflow:order:${orderId}:variant:${r.variantNumber}`,
      });
      expect(accepted.prompt).toBe(rejected.prompt.replace('Coldplay', 'a stadium rock band'));
    }
    // No dead letter: nothing for the operator to do.
    const { rows: dead } = await db.pool.query('select count(*)::int as n from public.failed_jobs where order_id = $1', [orderId]);
    expect(dead[0].n).toBe(0);
  });

  it('a bad prompt with no suggestion dead-letters; an operator retry with an edited prompt completes, same share token, operator, audited', async () => {
    const story = 'He proposed while Metallica played at Brindlecombe stadium.';
    const { orderId } = await payForOrder(db, { recipient_name: 'Edited', story });
    await DBOS.retrieveWorkflow(`order:${orderId}`).getResult();
    const before = await listVariants(db.pool, orderId);
    expect(before.map((v) => v.status)).toEqual(['failed', 'failed', 'failed']);
    expect(callsFor('Edited')).toHaveLength(3); // one call each: no suggestion, no retry
    const { rows: dead } = await db.pool.query(`select provider_detail from public.failed_jobs where order_id = $1 and resolved_at is null`, [orderId]);
    expect(dead.map((d) => d.provider_detail)).toEqual(
      Array(3).fill({ providerStatus: 400, status: 'bad_prompt', message: 'The prompt references a copyrighted artist.' }),
    );

    const dbos = dbosScheduler(await getDbosClient(db.url));
    // Validated before anything is written: too long, empty, control characters, both at once.
    for (const bad of [{ prompt: 'x'.repeat(2001) }, { prompt: '   ' }, { prompt: 'a\u0000b' }, { prompt: 'ok', useSuggestion: true }]) {
      await expect(retryFailedVariant(db.pool, dbos, orderId, 1, bad, 'admin:x')).rejects.toBeInstanceOf(ValidationError);
    }
    expect(await revisions(orderId)).toEqual([]);

    // Variant 1 through the domain call the HTTP route makes; variant 2 through the CLI with a prompt file.
    const admin = await createUser(db.pool, { appMetadata: { role: 'admin' } });
    const edited = (n: number) => `An original acoustic love song for Edited about a proposal at a stadium concert, take ${n}.`;
    const { workflowId } = await retryFailedVariant(db.pool, dbos, orderId, 1, { prompt: edited(1) }, `admin:${admin}`);
    const file = path.join(tempDir('prompt'), 'prompt.txt');
    writeFileSync(file, edited(2));
    const out = await cli(['retry', orderId, '2', `--prompt-file=${file}`]);
    expect(out.stdout).toMatch(/variant 2: retry enqueued with your prompt as workflow order:.+:retry:2:/);
    expect(await DBOS.retrieveWorkflow(workflowId).getResult()).toBe('complete');
    await eventually(async () => (await listVariants(db.pool, orderId))[1]!.status === 'complete', 20_000, 'variant 2 to complete');

    const after = await listVariants(db.pool, orderId);
    expect(after.map((v) => v.status)).toEqual(['complete', 'complete', 'failed']);
    expect(after.map((v) => v.shareToken)).toEqual(before.map((v) => v.shareToken));
    const { rows } = await db.pool.query('select prompt_source from public.song_variants where order_id = $1 order by variant_number', [orderId]);
    expect(rows.map((r) => r.prompt_source)).toEqual(['operator', 'operator', 'original']);
    // The provider got exactly the operator's prompts.
    expect(
      stub.calls
        .filter((c) => c.status === 200 && c.prompt.includes('for Edited about'))
        .map((c) => c.prompt)
        .sort(),
    ).toEqual([edited(1), edited(2)]);
    expect(await ledger(orderId)).toEqual({ 1: ['original:error', 'operator:success'], 2: ['original:error', 'operator:success'], 3: ['original:error'] });
    // The audit row: who, and the old and new prompt hashes.
    const original = (n: number) => stub.calls.find((c) => callTarget(c).recipient === 'Edited' && callTarget(c).variant === n && c.status === 400)!.prompt;
    const audit = await revisions(orderId);
    expect(audit.map(({ prompt: _p, ...r }) => r)).toEqual([
      { variantNumber: 1, source: 'operator', previous: promptSha256(original(1)), next: promptSha256(edited(1)), createdBy: `admin:${admin}` },
      { variantNumber: 2, source: 'operator', previous: promptSha256(original(2)), next: promptSha256(edited(2)), createdBy: expect.stringMatching(/^cli:/) },
    ]);
    // The retries close their dead letters once complete (a step after the variant's); variant 3's stays open.
    const openDeadLetters = async () =>
      (
        await db.pool.query('select variant_number from public.failed_jobs where order_id = $1 and resolved_at is null order by variant_number', [orderId])
      ).rows.map((r) => r.variant_number);
    await eventually(async () => (await openDeadLetters()).length === 1, 20_000, 'the retried dead letters to be resolved');
    expect(await openDeadLetters()).toEqual([3]);
  });

  it('a suggestion that is refused too dead-letters with the new suggestion; failed-jobs shows it and --use-suggestion completes it', async () => {
    const story = 'We fell in love over Nirvana records in a Dunmore Lane basement.';
    const { orderId } = await payForOrder(db, { recipient_name: 'Twice', story });
    await DBOS.retrieveWorkflow(`order:${orderId}`).getResult();
    expect((await listVariants(db.pool, orderId)).map((v) => v.status)).toEqual(['failed', 'failed', 'failed']);
    expect(callsFor('Twice')).toHaveLength(6); // each variant: the original, then the suggestion once; no third call
    expect(await ledger(orderId)).toEqual(Object.fromEntries([1, 2, 3].map((n) => [n, ['original:error', 'provider_suggestion:error']])));

    const listed = await cli(['failed-jobs']);
    for (const n of [1, 2, 3]) {
      expect(listed.stdout).toContain(`order ${orderId}  variant ${n}  attempts 2`);
      expect(listed.stdout).toContain(`accept it: npm run admin -- retry ${orderId} ${n} --use-suggestion`);
    }
    expect(listed.stdout).toContain('prompt suggestion: ');
    expect(listed.stdout).toContain('a nineties grunge band');

    // One command accepts every failed variant's suggestion.
    const out = await cli(['retry', orderId, '--use-suggestion']);
    expect(out.stdout.match(/retry enqueued with the provider suggestion/g)).toHaveLength(3);
    await eventually(async () => (await listVariants(db.pool, orderId)).every((v) => v.status === 'complete'), 30_000, 'all variants to complete');
    expect(callsFor('Twice')).toHaveLength(9);
    const { rows } = await db.pool.query('select prompt_source from public.song_variants where order_id = $1 order by variant_number', [orderId]);
    expect(rows.map((r) => r.prompt_source)).toEqual(['provider_suggestion', 'provider_suggestion', 'provider_suggestion']);
    const audit = await revisions(orderId);
    expect(audit.map((r) => [r.variantNumber, r.source, r.createdBy.split(':')[0]])).toEqual([
      [1, 'provider_suggestion', 'workflow'],
      [1, 'provider_suggestion', 'cli'],
      [2, 'provider_suggestion', 'workflow'],
      [2, 'provider_suggestion', 'cli'],
      [3, 'provider_suggestion', 'workflow'],
      [3, 'provider_suggestion', 'cli'],
    ]);
    // Each revision's "before" is the prompt it replaced.
    for (const n of [1, 2, 3]) {
      const [healed, accepted] = audit.filter((r) => r.variantNumber === n);
      expect(accepted.previous).toBe(healed.next);
      expect(accepted.prompt).toContain('a nineties grunge band');
    }
  });

  it('bad_composition_plan with a suggested plan: each variant is retried once with the plan, marked provider_suggestion', async () => {
    const story = 'She sings Beyoncé in the shower at Wrexley flats.';
    const { orderId } = await payForOrder(db, { recipient_name: 'Planned', story });
    await DBOS.retrieveWorkflow(`order:${orderId}`).getResult();
    expect((await listVariants(db.pool, orderId)).map((v) => v.status)).toEqual(['complete', 'complete', 'complete']);
    const rejected = callsFor('Planned');
    expect(rejected.map((c) => c.status)).toEqual([400, 400, 400]);
    // The plans went out as ElevenLabs suggested them, one per variant, and no prompt with them.
    const planned = stub.calls.filter((c) => JSON.stringify(c.compositionPlan ?? null).includes('Planned'));
    expect(planned.map((c) => [c.status, c.prompt])).toEqual([
      [200, ''],
      [200, ''],
      [200, ''],
    ]);
    for (const c of rejected) expect(planned.map((p) => p.compositionPlan)).toContainEqual(suggestedPlan(c));
    expect(await ledger(orderId)).toEqual(Object.fromEntries([1, 2, 3].map((n) => [n, ['original:error', 'provider_suggestion:success']])));
    const audit = await revisions(orderId);
    expect(audit.map((r) => [r.source, r.prompt])).toEqual(Array(3).fill(['provider_suggestion', null]));
  });

  it('no story text in any log line', () => {
    expect(logLines.length).toBeGreaterThan(50);
    for (const marker of [
      'Quillhaven',
      'Brindlecombe',
      'Dunmore Lane',
      'Wrexley',
      'first dance',
      'proposed',
      'fell in love',
      'stadium rock band',
      'grunge band',
    ]) {
      expect(logLines.filter((l) => l.includes(marker))).toEqual([]);
    }
    // …while the lines that tell the story of the run are there.
    expect(logLines.some((l) => l.includes('retrying at once with its suggested prompt'))).toBe(true);
  });
});
