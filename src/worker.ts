import { DBOS, DBOSClient } from '@dbos-inc/dbos-sdk';
import { logBoot } from './config/boot-log';
import { env } from './config/env';
import { closePools, type Db, getPool } from './db/pool';
import { selectPendingByVersion } from './db/workflow-versions';
import { registerGenerateSongWorkflow, registerGenerationQueues, registerRetryVariantWorkflow } from './generation/dbos-workflow';
import { dbosScheduler } from './generation/dbos-scheduler';
import { createDrain, drainTimeoutMs } from './generation/drain';
import { ExecutorIdTakenError, type ExecutorLock, lockExecutorId } from './generation/executor-lock';
import { startExecutorTakeover } from './generation/executor-takeover';
import { createMusicProvider, songLengthMs, variantRetryPolicy } from './generation/providers/create-provider';
import { APP_NAME, APP_VERSION } from './generation/workflow-names';
import { dbosLogger } from './logging/dbos-logger';
import type { Logger } from 'pino';
import { logger } from './logging/logger';
import { createStorage } from './storage/create-storage';
import { createWorkerMetrics, serveWorkerMetrics } from './ops/worker-metrics';
import { songPrice, stripeLivemode } from './payments/price';
import type { ReconcileDeps } from './payments/reconcile-checkouts';
import { registerReconcileCheckoutsWorkflow, scheduleReconcileCheckouts } from './payments/reconcile-workflow';
import { createStripeClient } from './payments/stripe-client';

/** How often a worker waiting for its executor id tries the lock again, and logs that it waits, ms. */
const LOCK_RETRY_MS = 1000;
const LOCK_WAIT_LOG_MS = 10_000;

/**
 * Takes the executor lock, waiting while another live process holds it: in a
 * rolling deploy the new worker starts while the old one still drains. Logs
 * every 10 s while it waits; any other error is thrown at once.
 */
async function waitForExecutorLock(log: Logger, take: () => Promise<ExecutorLock>): Promise<ExecutorLock> {
  const since = Date.now();
  let loggedAt = 0;
  for (;;) {
    try {
      return await take();
    } catch (err) {
      if (!(err instanceof ExecutorIdTakenError)) throw err;
      if (Date.now() - loggedAt >= LOCK_WAIT_LOG_MS) {
        loggedAt = Date.now();
        log.warn({ waitedMs: loggedAt - since }, `${err.message} Waiting for it to stop (a previous worker still draining?)`);
      }
      await new Promise((r) => setTimeout(r, LOCK_RETRY_MS));
    }
  }
}

/**
 * Logs a warning per other application version with workflows still pending:
 * this worker never runs them (DBOS recovers and dequeues a workflow only under
 * its own version), so a worker of that build must keep running until
 * `npm run admin -- versions` shows none (README "Safe upgrades").
 */
async function warnAboutOtherVersions(db: Db, log: Logger): Promise<void> {
  const others = (await selectPendingByVersion(db)).filter((r) => r.applicationVersion !== APP_VERSION);
  for (const version of new Set(others.map((r) => r.applicationVersion))) {
    const pending = others.filter((r) => r.applicationVersion === version).reduce((n, r) => n + r.count, 0);
    log.warn(
      { applicationVersion: version, pending, ownVersion: APP_VERSION },
      'workflows of another application version are pending and this worker will not run them: keep a worker of that build running until `npm run admin -- versions` shows none',
    );
  }
}

/**
 * The generation worker: DBOS Transact on the app's own Postgres, dequeuing
 * order workflows (generate-song) from the `song-generation` queue and their
 * variants (generate-variant, retry-variant) from the `music-provider` queue.
 *
 * - `applicationVersion` is pinned (APP_VERSION) so a deploy still recovers the
 *   previous build's in-flight workflows; `executorID` is stable
 *   (WORKER_EXECUTOR_ID) so a restarted worker recovers its own, and locked
 *   (./generation/executor-lock.ts) so two live processes never share one; a
 *   worker whose id is held waits for it (logging every 10 s). If
 *   the lock's connection drops, the lock is taken again when nobody else took
 *   it meanwhile; if it is lost for good, `onExecutorLockLost` is called at once:
 *   the process must stop (worker-main exits), since a successor may already be
 *   recovering this executor's workflows. A dead worker's id whose lock is free
 *   is adopted by a live worker (./generation/executor-takeover.ts), which
 *   recovers its workflows.
 * - Queues are registered after launch (DBOS: queues registered before launch
 *   are not persisted). The provider queue's worker and global concurrency both
 *   equal GENERATION_CONCURRENCY: each variant workflow makes one provider call
 *   at a time, so this caps provider calls across every worker process, and
 *   DBOS dequeues it by priority (every DBOS 5 queue does). The order queue has
 *   no limit: an order workflow only waits for its variants.
 * - `stop()` drains (./generation/drain.ts): dequeuing stops, provider calls
 *   under way finish and store their audio (up to GENERATION_ATTEMPT_TIMEOUT_MS
 *   + 30 s, `drainTimeoutMs`), no new call starts, then the process may exit.
 */
export async function startWorker(options: { onExecutorLockLost(reason: Error): void }): Promise<{ stop(): Promise<void> }> {
  const e = env();
  if (!e.DATABASE_URL) throw new Error('DATABASE_URL is not set: start the worker with `npm run worker`');
  const log = logger().child({ component: 'worker', executorId: e.WORKER_EXECUTOR_ID });
  logBoot(log, e);
  const executorLock = await waitForExecutorLock(log, () =>
    lockExecutorId(e.DATABASE_URL!, e.WORKER_EXECUTOR_ID, options.onExecutorLockLost, {
      onReacquired: (after) => log.warn({ err: after }, 'executor lock connection dropped; took the lock again, nobody else held it'),
    }),
  );
  const drain = createDrain();
  const metrics = createWorkerMetrics();
  const deps = {
    db: getPool(e.DATABASE_URL, {
      applicationName: 'songswipe-worker',
      max: e.WORKER_DB_POOL_SIZE,
      onError: (err) => log.warn({ err }, 'a pooled database connection was closed by the server; the next query reconnects'),
    }),
    provider: metrics.instrument(createMusicProvider(e)),
    storage: createStorage(e),
    lengthMs: songLengthMs(e),
    retry: variantRetryPolicy(e),
    log,
    drain,
  };
  // Fails the boot on an unusable store (bad key, public bucket) rather than every variant later.
  await deps.storage.prepare();
  registerGenerateSongWorkflow(deps);
  registerRetryVariantWorkflow(deps);
  // Reconciliation with Stripe: needs the API (no key: the local dev checkout, nothing to list).
  const stripe = createStripeClient(e);
  let reconcileDeps: Promise<ReconcileDeps> | undefined;
  const reconcile = stripe
    ? registerReconcileCheckoutsWorkflow(
        () =>
          (reconcileDeps ??= DBOSClient.create({
            systemDatabaseUrl: e.DATABASE_URL!,
            // the worker's own pool: enqueueing from here costs no connection of its own
            systemDatabasePool: deps.db,
            applicationName: APP_NAME,
          }).then((dbos) => ({ db: deps.db, scheduler: dbosScheduler(dbos), stripe, price: songPrice(e), livemode: stripeLivemode(e), log }))),
      )
    : undefined;
  DBOS.setConfig({
    name: APP_NAME,
    systemDatabaseUrl: e.DATABASE_URL,
    systemDatabasePoolSize: e.DBOS_SYSTEM_POOL_SIZE,
    applicationVersion: APP_VERSION,
    // Workflow bodies change behind DBOS.patch under the pinned version (workflow-names.ts).
    enablePatching: true,
    executorID: e.WORKER_EXECUTOR_ID,
    logger: dbosLogger(log),
  });
  await DBOS.launch();
  await registerGenerationQueues(e.GENERATION_CONCURRENCY, e.QUEUE_POLL_MS);
  if (reconcile) await scheduleReconcileCheckouts(reconcile, e.RECONCILE_CHECKOUTS_CRON === 'off' ? undefined : e.RECONCILE_CHECKOUTS_CRON);
  else log.info('no STRIPE_SECRET_KEY: reconciliation with Stripe is off (local dev checkout)');
  await warnAboutOtherVersions(deps.db, log);
  const takeover = startExecutorTakeover({ databaseUrl: e.DATABASE_URL, ownExecutorId: e.WORKER_EXECUTOR_ID, log });
  const metricsServer = e.METRICS_PORT === undefined ? undefined : await serveWorkerMetrics(metrics, e.METRICS_PORT, () => drain.draining);
  log.info(
    { provider: deps.provider.name, metricsPort: metricsServer?.port, concurrency: e.GENERATION_CONCURRENCY, appVersion: APP_VERSION },
    'worker ready; dequeuing orders and their variants',
  );
  return {
    async stop() {
      await takeover.stop();
      const timeoutMs = drainTimeoutMs(e.GENERATION_ATTEMPT_TIMEOUT_MS);
      log.info({ inFlight: drain.inFlight, timeoutMs }, 'draining: no new provider calls; waiting for the ones under way to finish and store their audio');
      drain.begin();
      // Stops dequeuing at once, then waits for the workflows running here. Those
      // between two provider calls park at the drain gate and never finish, so once
      // no call is in flight there is nothing left worth waiting for.
      const shutdown = DBOS.shutdown({ workflowCompletionTimeoutMS: timeoutMs }).then(() => 'shut down' as const);
      const outcome = await Promise.race([shutdown, drain.idle().then(() => 'idle' as const)]);
      if (outcome === 'idle' && drain.inFlight === 0) {
        // Parked workflows are PENDING under this executor id: the next worker
        // with it recovers them. Exiting now is a crash at a safe point (between
        // two checkpointed steps); the lock and pools close with the process.
        log.info('drained: no provider call in flight; parked workflows resume in the next worker');
        return;
      }
      await metricsServer?.close();
      await executorLock.release();
      await closePools();
      log.info('worker stopped');
    },
  };
}
