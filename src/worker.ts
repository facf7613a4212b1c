import { DBOS } from '@dbos-inc/dbos-sdk';
import { logBoot } from './config/boot-log';
import { env } from './config/env';
import { closePools, getPool } from './db/pool';
import { registerGenerateSongWorkflow, registerGenerationQueues, registerRetryVariantWorkflow } from './generation/dbos-workflow';
import { lockExecutorId } from './generation/executor-lock';
import { startExecutorTakeover } from './generation/executor-takeover';
import { createMusicProvider, songLengthMs, variantRetryPolicy } from './generation/providers/create-provider';
import { APP_NAME, APP_VERSION } from './generation/workflow-names';
import { dbosLogger } from './logging/dbos-logger';
import { logger } from './logging/logger';
import { createStorage } from './storage/create-storage';

/**
 * The generation worker: DBOS Transact on the app's own Postgres, dequeuing
 * order workflows (generate-song) from the `song-generation` queue and their
 * variants (generate-variant, retry-variant) from the `music-provider` queue.
 *
 * - `applicationVersion` is pinned (APP_VERSION) so a deploy still recovers the
 *   previous build's in-flight workflows; `executorID` is stable
 *   (WORKER_EXECUTOR_ID) so a restarted worker recovers its own, and locked
 *   (./generation/executor-lock.ts) so two live processes never share one. If
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
 */
export async function startWorker(options: { onExecutorLockLost(reason: Error): void }): Promise<{ stop(): Promise<void> }> {
  const e = env();
  if (!e.DATABASE_URL) throw new Error('DATABASE_URL is not set: start the worker with `npm run worker`');
  const log = logger().child({ component: 'worker', executorId: e.WORKER_EXECUTOR_ID });
  logBoot(log, e);
  const executorLock = await lockExecutorId(e.DATABASE_URL, e.WORKER_EXECUTOR_ID, options.onExecutorLockLost, {
    onReacquired: (after) => log.warn({ err: after }, 'executor lock connection dropped; took the lock again, nobody else held it'),
  });
  const deps = {
    db: getPool(e.DATABASE_URL, {
      applicationName: 'songswipe-worker',
      onError: (err) => log.warn({ err }, 'a pooled database connection was closed by the server; the next query reconnects'),
    }),
    provider: createMusicProvider(e),
    storage: createStorage(e),
    lengthMs: songLengthMs(e),
    retry: variantRetryPolicy(e),
    log,
  };
  // Fails the boot on an unusable store (bad key, public bucket) rather than every variant later.
  await deps.storage.prepare();
  registerGenerateSongWorkflow(deps);
  registerRetryVariantWorkflow(deps);
  DBOS.setConfig({
    name: APP_NAME,
    systemDatabaseUrl: e.DATABASE_URL,
    applicationVersion: APP_VERSION,
    executorID: e.WORKER_EXECUTOR_ID,
    logger: dbosLogger(log),
  });
  await DBOS.launch();
  await registerGenerationQueues(e.GENERATION_CONCURRENCY, e.QUEUE_POLL_MS);
  const takeover = startExecutorTakeover({ databaseUrl: e.DATABASE_URL, ownExecutorId: e.WORKER_EXECUTOR_ID, log });
  log.info(
    { provider: deps.provider.name, concurrency: e.GENERATION_CONCURRENCY, appVersion: APP_VERSION },
    'worker ready; dequeuing orders and their variants',
  );
  return {
    async stop() {
      await takeover.stop();
      await DBOS.shutdown();
      await executorLock.release();
      await closePools();
      log.info('worker stopped');
    },
  };
}
