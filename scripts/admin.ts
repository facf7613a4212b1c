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
import { isUuid } from '../src/validation/uuid';
import { DEFAULT_THRESHOLDS, findProblems, readOperationalState } from '../src/ops/operational-state';

const USAGE = `usage: npm run admin -- <command>

  failed-jobs [--all]          dead-lettered jobs, newest first (--all: include resolved)
  retry <orderId> [variant]    regenerate one failed variant, or every failed variant of the order
  resume                       resume provider calls after a pause (dead key, quota)
  status                       is generation paused, and why; queue depth, calls in flight,
                               median call time, when the backlog will be cleared
  check [--max-dead-letters=N] [--max-queued-minutes=X]
                               exits 1 with one line per problem (paused, open dead letters > N
                               (default 0), oldest queued generation > X min (default 15),
                               orders in needs_review); for a cron job or an uptime monitor
  grant-admin <email>          make that user an admin (app_metadata.role = admin): through the
                               Supabase Auth admin API when SUPABASE_URL and SUPABASE_SECRET_KEY
                               (or SUPABASE_SERVICE_ROLE_KEY) are set, else directly in auth.users
  disputes                     open payment disputes, the soonest evidence deadline first

Uses DATABASE_URL (unset: the embedded PostgreSQL under .data/).`;

const [command, ...args] = process.argv.slice(2);
if (!command || command === '--help' || !['failed-jobs', 'retry', 'resume', 'status', 'grant-admin', 'disputes', 'check'].includes(command)) {
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
      const suggestion = (j.providerDetail as { promptSuggestion?: string } | null)?.promptSuggestion;
      if (suggestion) console.log(`    prompt suggestion: ${suggestion}`);
    }
  } else if (command === 'retry') {
    const [orderId, variant] = args;
    if (!orderId) throw new Error('retry needs an order id');
    // the same check every other entry point uses, before the id reaches SQL
    if (!isUuid(orderId)) throw new Error(`order id ${JSON.stringify(orderId)} is not a UUID`);
    const scheduler = await createGenerationScheduler(parseEngineConfig(process.env), db, runtime.databaseUrl, createLogger({ level: 'warn' }));
    const targets = variant ? [Number(variant)] : (await listVariants(db, orderId)).filter((v) => v.status === 'failed').map((v) => v.variantNumber);
    if (!targets.length) console.log(`order ${orderId} has no failed variants`);
    for (const n of targets) {
      const { workflowId } = await retryFailedVariant(db, scheduler, orderId, n);
      console.log(`variant ${n}: retry started as run ${workflowId}`);
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
    for (const p of problems) console.log(p);
    if (!problems.length) console.log('ok');
    code = problems.length ? 1 : 0;
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
  code = 1;
} finally {
  await db.end();
  await destroyDbosClients();
  await runtime.stop();
}
process.exit(code);
