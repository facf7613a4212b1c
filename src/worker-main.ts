import { EXECUTOR_LOCK_LOST_EXIT_CODE } from './generation/executor-lock';
import { logger } from './logging/logger';
import { startWorker } from './worker';

// Process entry of the worker (`npm run worker` starts it through the launcher).
process.env.SONGSWIPE_SERVICE ??= 'worker';
const worker = await startWorker({
  // Running on would mean running unfenced: a worker started with the same
  // WORKER_EXECUTOR_ID may already be recovering (and paying again for) the
  // workflows in flight here. Exiting stops dequeuing and every step at once;
  // the launcher (or the orchestrator) starts the worker again.
  onExecutorLockLost(reason) {
    logger().fatal({ err: reason }, 'executor lock lost; exiting so that no workflow runs twice');
    process.exit(EXECUTOR_LOCK_LOST_EXIT_CODE);
  },
}).catch((err: unknown) => {
  logger().fatal({ err }, 'worker failed to start');
  console.error(`worker failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
let stopping = false;
const stop = (why: string) => {
  if (stopping) return;
  stopping = true;
  logger().info({ why }, 'worker stopping');
  worker.stop().then(
    () => process.exit(0),
    (err: unknown) => {
      logger().error({ err }, 'worker did not stop cleanly');
      process.exit(1);
    },
  );
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => stop(signal));

// Started by a launcher: stop when it dies, even by SIGKILL (we are re-parented).
if (process.env.SONGSWIPE_LAUNCHER_PID) {
  const launcher = Number(process.env.SONGSWIPE_LAUNCHER_PID);
  setInterval(() => {
    if (process.ppid !== launcher) stop('launcher exited');
  }, 1000).unref();
}
