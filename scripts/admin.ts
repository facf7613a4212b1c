/**
 * `npm run admin -- <command>`: operator commands on DATABASE_URL (or the
 * embedded database), with the privileged connection.
 */
import { grantAdmin } from '../src/admin/grant-admin';
import { createPool } from '../src/db/pool';
import { formatCapacityStatus, readCapacityStatus } from '../src/admin/capacity-status';
import { resumeGenerationQueue, retryFailedVariant } from '../src/admin/operations';
import { getGenerationPause } from '../src/db/generation-control';
import { selectFailedJobs } from '../src/db/failed-job-reads';
import { selectOpenDisputes } from '../src/db/payment-disputes';
import { listVariants } from '../src/db/song-variants';
import { destroyDbosClients } from '../src/generation/enqueue';
import { createGenerationScheduler } from '../src/generation/create-scheduler';
import { createLogger } from '../src/logging/logger';
import { parseEngineConfig } from '../src/config/env';
import { describeStartupError, prepareDatabase } from '../src/launcher/runtime';
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { isUuid } from '../src/validation/uuid';
import { DEFAULT_THRESHOLDS, findProblems, readOperationalState } from '../src/ops/operational-state';
import { env } from '../src/config/env';
import { songPrice, stripeLivemode } from '../src/payments/price';
import { findUnreconciledSessions, reconcileCheckouts } from '../src/payments/reconcile-checkouts';
import { createStripeClient } from '../src/payments/stripe-client';
import { formatPendingByVersion, selectApplicationVersions, selectPendingByVersion } from '../src/db/workflow-versions';
import { randomUUID } from 'node:crypto';

const USAGE = `usage: npm run admin -- <command>

  failed-jobs [--all]          dead-lettered jobs, newest first (--all: include resolved)
  retry <orderId> [variant] [--prompt=<text> | --prompt-file=<path> | --use-suggestion]
                               regenerate one failed variant, or every failed variant of the order;
                               --prompt/--prompt-file: with this replacement prompt (≤ 2000 characters,
                               one variant only; prompt_source = operator); --use-suggestion: with the
                               provider's suggested prompt from the dead letter (shown by failed-jobs)
  resume                       resume provider calls after a pause (dead key, quota)
  status                       is generation paused, and why; queue depth, calls in flight,
                               median call time, when the backlog will be cleared
  check [--max-dead-letters=N] [--max-queued-minutes=X]
                               exits 1 with one line per problem (paused, open dead letters > N
                               (default 0), oldest queued generation > X min (default 15),
                               orders in needs_review, and, with STRIPE_SECRET_KEY, paid checkout
                               sessions of the last 7 days without a paid order); for a cron job
                               or an uptime monitor
  reconcile                    reconcile with Stripe now (what the worker's hourly schedule runs):
                               replay paid checkout sessions of the last 7 days whose order is
                               missing or in the wrong state; needs STRIPE_SECRET_KEY
  versions                     pending workflows (queued or running) per application version and
                               executor: what a deploy must leave running until it is drained
  grant-admin <email>          make that user an admin (app_metadata.role = admin): through the
                               Supabase Auth admin API when SUPABASE_URL and SUPABASE_SECRET_KEY
                               (or SUPABASE_SERVICE_ROLE_KEY) are set, else directly in auth.users
  disputes                     open payment disputes, the soonest evidence deadline first

Uses DATABASE_URL (unset: the embedded PostgreSQL under .data/).`;

const [command, ...args] = process.argv.slice(2);
if (
  !command ||
  command === '--help' ||
  !['failed-jobs', 'retry', 'resume', 'status', 'grant-admin', 'disputes', 'check', 'reconcile', 'versions'].includes(command)
) {
  console.log(USAGE);
  process.exit(command === '--help' ? 0 : 2);
}

let runtime;
try {
  runtime = await prepareDatabase(createLogger({ level: 'warn' }), { migrate: false });
} catch (err) {
  console.error(describeStartupError(err));
  process.exit(1);
}
const db = createPool({ connectionString: runtime.databaseUrl, max: 2 });
let code = 0;
try {
  if (command === 'failed-jobs') {
    const jobs = await selectFailedJobs(db, { includeResolved: args.includes('--all') });
    if (!jobs.length) console.log('no failed jobs');
    for (const j of jobs) {
      console.log(
        `${j.failedAt.toISOString()}  ${j.jobType}  order ${j.orderId ?? '-'}  variant ${j.variantNumber ?? '-'}  attempts ${j.retryCount}${j.resolvedAt ? '  (resolved)' : ''}`,
      );
      console.log(`    ${j.errorMessage}`);
      const detail = j.providerDetail as { promptSuggestion?: string; compositionPlanSuggestion?: unknown } | null;
      const suggestion = detail?.promptSuggestion;
      const plan = detail?.compositionPlanSuggestion;
      if (suggestion || plan) {
        // Shown to the operator on purpose (admin-only CLI, not a log line), so it can be accepted as is.
        if (suggestion) console.log(`    prompt suggestion: ${suggestion}`);
        else console.log(`    composition plan suggestion: ${JSON.stringify(plan)}`);
        if (!j.resolvedAt && j.jobType === 'generate_variant' && j.orderId && j.variantNumber) {
          console.log(`    accept it: npm run admin -- retry ${j.orderId} ${j.variantNumber} --use-suggestion`);
        }
      }
    }
  } else if (command === 'retry') {
    // An option is `--name` or `--name=value`; anything else (even `------…`) is an argument, checked as one below.
    const isOption = (a: string) => /^--[a-z][a-z-]*(=|$)/.test(a);
    const [orderId, variant] = args.filter((a) => !isOption(a));
    const flag = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
    const unknown = args.filter((a) => isOption(a) && !/^--(prompt|prompt-file)=/.test(a) && a !== '--use-suggestion');
    if (unknown.length) throw new Error(`unknown option ${unknown[0]}`);
    const promptFile = flag('prompt-file');
    const prompt = flag('prompt') ?? (promptFile !== undefined ? readFileSync(promptFile, 'utf8') : undefined);
    const request = { ...(prompt !== undefined && { prompt }), ...(args.includes('--use-suggestion') && { useSuggestion: true }) };
    if (!orderId) throw new Error('retry needs an order id');
    if (prompt !== undefined && !variant) throw new Error('a replacement prompt is for one variant: give its number');
    // the same check every other entry point uses, before the id reaches SQL
    if (!isUuid(orderId)) throw new Error(`order id ${JSON.stringify(orderId)} is not a UUID`);
    const scheduler = await createGenerationScheduler(parseEngineConfig(process.env), db, runtime.databaseUrl, createLogger({ level: 'warn' }));
    const targets = variant ? [Number(variant)] : (await listVariants(db, orderId)).filter((v) => v.status === 'failed').map((v) => v.variantNumber);
    if (!targets.length) console.log(`order ${orderId} has no failed variants`);
    for (const n of targets) {
      const { workflowId } = await retryFailedVariant(db, scheduler, orderId, n, request, `cli:${userInfo().username}`);
      const how = request.useSuggestion ? ' with the provider suggestion' : prompt !== undefined ? ' with your prompt' : '';
      console.log(`variant ${n}: retry enqueued${how} as workflow ${workflowId}`);
    }
  } else if (command === 'grant-admin') {
    const [email] = args;
    if (!email) throw new Error('grant-admin needs an email');
    // Only the database is needed in either mode; the Auth admin API when it is configured.
    const serverKey = process.env.SUPABASE_SECRET_KEY || process.env.SUPABASE_SERVICE_ROLE_KEY;
    const supabase = process.env.SUPABASE_URL && serverKey ? { url: process.env.SUPABASE_URL, serverKey } : undefined;
    const { userId, via } = await grantAdmin({ db, supabase }, email);
    console.log(
      `${email} (${userId}) is now an admin (${via === 'auth-admin-api' ? 'Supabase Auth admin API' : 'auth.users'}); it takes effect in their next access token`,
    );
  } else if (command === 'resume') {
    const { resumed } = await resumeGenerationQueue(db);
    console.log(resumed ? 'generation resumed' : 'generation was not paused');
  } else if (command === 'check') {
    const flag = (name: string, fallback: number) => {
      const raw = args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
      if (raw === undefined) return fallback;
      const n = Number(raw);
      if (!raw.trim() || !Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number ≥ 0, got ${JSON.stringify(raw)}`);
      return n;
    };
    const problems = findProblems(await readOperationalState(db), {
      maxDeadLetters: flag('max-dead-letters', DEFAULT_THRESHOLDS.maxDeadLetters),
      maxQueuedMinutes: flag('max-queued-minutes', DEFAULT_THRESHOLDS.maxQueuedMinutes),
    });
    // Paid checkouts without their order: only with the Stripe API at hand (the worker's env).
    if (process.env.STRIPE_SECRET_KEY) {
      const stripe = createStripeClient(env())!;
      const unreconciled = await findUnreconciledSessions({ db, stripe });
      if (unreconciled.length)
        problems.push(
          `${unreconciled.length} paid checkout sessions without a paid order (${unreconciled.map((u) => `${u.session.id}: ${u.reason}`).join(', ')}): run \`npm run admin -- reconcile\``,
        );
    }
    for (const p of problems) console.log(p);
    if (!problems.length) console.log('ok');
    code = problems.length ? 1 : 0;
  } else if (command === 'reconcile') {
    const e = env();
    const stripe = createStripeClient(e);
    if (!stripe) throw new Error('reconcile needs STRIPE_SECRET_KEY (the local dev checkout has no Stripe account to list)');
    const runId = `admin:${randomUUID()}`;
    const fixes = await reconcileCheckouts(
      {
        db,
        scheduler: await createGenerationScheduler(parseEngineConfig(process.env), db, runtime.databaseUrl, createLogger({ level: 'warn' }), 1),
        stripe,
        price: songPrice(e),
        livemode: stripeLivemode(e),
        log: createLogger({ level: 'warn' }),
      },
      runId,
    );
    if (!fixes.length) console.log('every paid checkout session of the last 7 days has its order');
    for (const f of fixes) console.log(`${f.stripeSessionId}  ${f.reason}  order ${f.orderId ?? '-'} (${f.statusBefore ?? 'none'})  → ${f.outcome}`);
    if (fixes.length) console.log(`run ${runId}: ${fixes.length} sessions replayed (recorded in checkout_reconciliations)`);
  } else if (command === 'versions') {
    for (const line of formatPendingByVersion({ rows: await selectPendingByVersion(db), versions: await selectApplicationVersions(db) })) console.log(line);
  } else if (command === 'disputes') {
    const disputes = await selectOpenDisputes(db);
    if (!disputes.length) console.log('no open disputes');
    for (const d of disputes) {
      const due = d.evidenceDueBy ? `evidence due ${d.evidenceDueBy.toISOString()}` : 'no evidence deadline';
      console.log(`${d.id}  ${due}  ${d.status}  ${d.reason}  ${d.amount} ${d.currency}  order ${d.orderId ?? '-'}`);
      console.log(
        `    charge ${d.chargeId}  opened ${d.openedAt.toISOString()}${d.fundsWithdrawnAt ? `  funds withdrawn ${d.fundsWithdrawnAt.toISOString()}` : ''}`,
      );
    }
  } else {
    const pause = await getGenerationPause(db);
    console.log(pause.paused ? `generation PAUSED since ${pause.pausedAt?.toISOString()}: ${pause.reason}` : 'generation running');
    for (const line of formatCapacityStatus(await readCapacityStatus(db), Date.now())) console.log(line);
  }
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  const fields = (err as { fields?: Record<string, string[]> }).fields;
  for (const [field, problems] of Object.entries(fields ?? {})) console.error(`  ${field}: ${problems.join('; ')}`);
  code = 1;
} finally {
  await db.end();
  await destroyDbosClients();
  await runtime.stop();
}
process.exit(code);
