import { DBOS } from '@dbos-inc/dbos-sdk';
import type { DurableContext, VariantOutcome } from './durable-context';
import { generateSong, type GenerationDeps, generateVariant } from './generate-song';
import { retryVariant } from './retry-variant';
import {
  GENERATE_SONG_WORKFLOW,
  GENERATE_VARIANT_WORKFLOW,
  GENERATION_QUEUE,
  generateVariantWorkflowId,
  PROVIDER_QUEUE,
  RETRY_VARIANT_WORKFLOW,
} from './workflow-names';

type VariantWorkflow = (orderId: string, variantNumber: number) => Promise<VariantOutcome>;

/**
 * DurableContext on DBOS Transact: steps are `DBOS.runStep`, sleeps `DBOS.sleep`,
 * children `DBOS.startWorkflow` on the provider queue with a priority.
 * Exported so a changed workflow body (a new step behind `DBOS.patch`, see
 * workflow-names.ts) can be registered and tested on the same context.
 * @param variantWorkflow the registered generate-variant workflow the children run.
 */
export function dbosContext(variantWorkflow: VariantWorkflow): DurableContext {
  return {
    workflowId() {
      const id = DBOS.workflowID;
      if (!id) throw new Error('dbosContext used outside a DBOS workflow');
      return id;
    },
    step(name, fn, retry) {
      return DBOS.runStep(fn, {
        name,
        retriesAllowed: Boolean(retry && retry.maxAttempts > 1),
        maxAttempts: retry?.maxAttempts,
        intervalSeconds: retry ? retry.intervalMs / 1000 : undefined,
        backoffRate: retry?.backoffRate,
        shouldRetry: retry?.shouldRetry,
      });
    },
    sleep(_name, ms) {
      return DBOS.sleep(ms);
    },
    patched(name) {
      return DBOS.patch(name);
    },
    async runOnProviderQueue(_name, tasks, { priority }) {
      // Explicit ids: a replay finds the same children, and a refund or an
      // operator can name them (`order:<orderId>:variant:<n>`).
      const handles = [];
      for (const t of tasks) {
        const start = DBOS.startWorkflow(variantWorkflow, {
          workflowID: generateVariantWorkflowId(t.orderId, t.variantNumber),
          queueName: PROVIDER_QUEUE,
          enqueueOptions: { priority },
        });
        handles.push(await start(t.orderId, t.variantNumber));
      }
      // Wait for every child before reading any result, so an error in one never
      // ends the parent while a sibling still runs.
      await DBOS.waitAll(handles);
      const outcomes: VariantOutcome[] = [];
      for (const h of handles) outcomes.push(await h.getResult());
      return outcomes;
    },
  };
}

/**
 * Registers the generation workflows with DBOS: `generate-variant` (one variant,
 * on the provider queue) and `generate-song` (the order, which starts and awaits
 * its variants). Must run before `DBOS.launch()`, so recovery finds the
 * functions for pending workflows.
 * @returns the registered generate-song workflow function (for direct starts in tests).
 */
export function registerGenerateSongWorkflow(deps: GenerationDeps): (orderId: string) => Promise<unknown> {
  const variantWorkflow: VariantWorkflow = DBOS.registerWorkflow(
    (orderId: string, variantNumber: number) => generateVariant(dbosContext(variantWorkflow), deps, orderId, variantNumber),
    { name: GENERATE_VARIANT_WORKFLOW },
  );
  const ctx = dbosContext(variantWorkflow);
  return DBOS.registerWorkflow((orderId: string) => generateSong(ctx, deps, orderId), {
    name: GENERATE_SONG_WORKFLOW,
  });
}

/** Registers the `retry-variant` workflow (admin manual retry, on the provider queue). Before `DBOS.launch()`. */
export function registerRetryVariantWorkflow(deps: GenerationDeps): (orderId: string, variantNumber: number, deadLetterId: string) => Promise<unknown> {
  const ctx = dbosContext(() => Promise.reject(new Error('retry-variant starts no children')));
  return DBOS.registerWorkflow(
    (orderId: string, variantNumber: number, deadLetterId: string) => retryVariant(ctx, deps, orderId, variantNumber, deadLetterId),
    {
      name: RETRY_VARIANT_WORKFLOW,
    },
  );
}

/**
 * Registers (or updates, in the `dbos.queues` table) the two generation queues.
 * Call after `DBOS.launch()`.
 * @param concurrency provider calls in flight across every worker.
 * @param pollMs the queues' polling interval, ms.
 */
export async function registerGenerationQueues(concurrency: number, pollMs: number): Promise<void> {
  await DBOS.registerQueue(GENERATION_QUEUE, { minPollingIntervalMs: pollMs, onConflict: 'always_update' });
  await DBOS.registerQueue(PROVIDER_QUEUE, {
    workerConcurrency: concurrency,
    globalConcurrency: concurrency,
    minPollingIntervalMs: pollMs,
    onConflict: 'always_update',
  });
}
