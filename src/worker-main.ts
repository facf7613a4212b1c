import { logger } from './logging/logger';
import { startWorker } from './worker';

// Process entry of the worker (`npm run worker` starts it through the launcher).
process.env.SONGSWIPE_SERVICE ??= 'worker';
const worker = await startWorker().catch((err: unknown) => {
  logger().fatal({ err }, 'worker failed to start');
  process.exit(1);
});
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    worker.stop().finally(() => process.exit(0));
  });
}
