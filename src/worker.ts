import { DBOS } from '@dbos-inc/dbos-sdk';
import { logBoot } from './config/boot-log';
import { env } from './config/env';
import { closePools, getPool } from './db/pool';
import { registerGenerateSongWorkflow, registerRetryVariantWorkflow } from './generation/dbos-workflow';
import { lockExecutorId } from './generation/executor-lock';
import { createMusicProvider, songLengthMs, variantRetryPolicy } from './generation/providers/create-provider';
import { APP_NAME, APP_VERSION, GENERATION_QUEUE } from './generation/workflow-names';
import { dbosLogger } from './logging/dbos-logger';
import { logger } from './logging/logger';
import { createStorage } from './storage/create-storage';

/**
 * The generation worker: DBOS Transact on the app's own Postgres, dequeuing
 * generate-song workflows from the `song-generation` queue.
 *
 * - `applicationVersion` is pinned (APP_VERSION) so a deploy still recovers the
 *   previous build's in-flight workflows; `executorID` is stable
 *   (WORKER_EXECUTOR_ID) so a restarted worker recovers its own, and locked
 *   (./generation/executor-lock.ts) so two live processes never share one. If
 *   the lock's connection drops, the lock is taken again when nobody else took
 *   it meanwhile; if it is lost for good, `onExecutorLockLost` is called at once:
 *   the process must stop (worker-main exits), since a successor may already be
 *   recovering this executor's workflows.
 * - The queue is registered after launch (DBOS: queues registered before launch
 *   are not persisted), with worker and global concurrency both equal to
 *   GENERATION_CONCURRENCY: each running workflow makes one provider call at a
 *   time, so this caps provider calls across every worker process.
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
  await DBOS.registerQueue(GENERATION_QUEUE, {
    workerConcurrency: e.GENERATION_CONCURRENCY,
    globalConcurrency: e.GENERATION_CONCURRENCY,
    minPollingIntervalMs: e.QUEUE_POLL_MS,
    onConflict: 'always_update',
  });
  log.info(
    { provider: deps.provider.name, concurrency: e.GENERATION_CONCURRENCY, appVersion: APP_VERSION },
    'worker ready; dequeuing generate-song workflows',
  );
  return {
    async stop() {
      await DBOS.shutdown();
      await executorLock.release();
      await closePools();
      log.info('worker stopped');
    },
  };
}
