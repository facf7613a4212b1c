import { DBOS } from '@dbos-inc/dbos-sdk';
import type { DurableContext } from './durable-context';
import { generateSong, type GenerationDeps } from './generate-song';
import { retryVariant } from './retry-variant';
import { GENERATE_SONG_WORKFLOW, RETRY_VARIANT_WORKFLOW } from './workflow-names';

/** DurableContext on DBOS Transact: steps are `DBOS.runStep`, sleeps `DBOS.sleep`. */
export const dbosContext: DurableContext = {
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
};

/**
 * Registers the `generate-song` workflow with DBOS. Must run before
 * `DBOS.launch()`, so recovery finds the function for pending workflows.
 * @returns the registered workflow function (for direct starts in tests).
 */
export function registerGenerateSongWorkflow(deps: GenerationDeps): (orderId: string) => Promise<unknown> {
  return DBOS.registerWorkflow((orderId: string) => generateSong(dbosContext, deps, orderId), {
    name: GENERATE_SONG_WORKFLOW,
  });
}

/** Registers the `retry-variant` workflow (admin manual retry). Before `DBOS.launch()`. */
export function registerRetryVariantWorkflow(deps: GenerationDeps): (orderId: string, variantNumber: number, deadLetterId: string) => Promise<unknown> {
  return DBOS.registerWorkflow((orderId: string, variantNumber: number, deadLetterId: string) => retryVariant(dbosContext, deps, orderId, variantNumber, deadLetterId), {
    name: RETRY_VARIANT_WORKFLOW,
  });
}
