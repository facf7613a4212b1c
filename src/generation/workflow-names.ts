/**
 * Names shared by the enqueuer (web) and the executor (worker). They live in the
 * DBOS system tables, so changing one strands workflows already queued.
 */
export const APP_NAME = 'songswipe';

/**
 * Pinned DBOS application version. Workflows are enqueued for this version and a
 * worker only recovers workflows of its own version, so it must not change with
 * every build (DBOS otherwise derives it from a code hash).
 *
 * Changing a workflow body (README "Safe upgrades"): the worker runs with
 * `enablePatching`, so a breaking change (a step added, removed or reordered)
 * goes behind `if (await DBOS.patch('<change>'))`, new code in the branch, the
 * old code in the else; this version stays, and the new worker recovers the old
 * workflows, which take the old path (DBOS docs, "Upgrading Workflow Code":
 * "When using patching, processes running your new code must be able to recover
 * workflows started on your old code. To do this, pin the application version").
 * Once `npm run admin -- versions` shows no workflow older than the change,
 * `DBOS.patch` becomes `DBOS.deprecatePatch`, then goes. Bumping the version
 * instead (DBOS's versioning strategy) strands every workflow of the old one
 * unless a worker of the old build keeps running until `admin versions` shows
 * none: the worker warns at boot about pending workflows of other versions.
 */
// v2: both workflows checkpoint their policy first (`generation-policy`), and
// retry-variant takes the dead letter it retries as an argument.
// v3: an order's variants are child workflows (`generate-variant`) on the
// provider queue; retry-variant moved to that queue.
// Since v3 the version stays and bodies change behind patches:
// - `prompt-healing`: a rejected prompt with a suggestion adds a
//   `variant-<n>#<k>-heal` step and an immediate next attempt (generate-song.ts).
export const APP_VERSION = 'generate-song-v3';

/**
 * The queue of order workflows (`generate-song`). They make no provider call
 * themselves, only start and await their variants, so it has no concurrency limit.
 */
export const GENERATION_QUEUE = 'song-generation';
/**
 * The provider queue: one item per variant (`generate-variant`, `retry-variant`).
 * Its global concurrency is GENERATION_CONCURRENCY across every worker, and it
 * dequeues by priority (earliest occasion first, see ./priority.ts).
 */
export const PROVIDER_QUEUE = 'music-provider';
export const GENERATE_SONG_WORKFLOW = 'generate-song';
export const GENERATE_VARIANT_WORKFLOW = 'generate-variant';
export const RETRY_VARIANT_WORKFLOW = 'retry-variant';

/** Three variants per order (the product's promise; the schema allows up to 5). */
export const VARIANTS_PER_ORDER = 3;

/** The workflow id for an order: a duplicate enqueue for the same order is a no-op. */
export function generateSongWorkflowId(orderId: string): string {
  return `order:${orderId}`;
}

/**
 * The workflow id of one variant of an order, a child of `order:<orderId>`:
 * starting it twice (a replay after a crash) returns the same workflow. It
 * starts with the order's workflow id, so `orderWorkflowIdPrefix` finds it too.
 */
export function generateVariantWorkflowId(orderId: string, variantNumber: number): string {
  return `${generateSongWorkflowId(orderId)}:variant:${variantNumber}`;
}

/**
 * A manual retry's workflow id, named after the dead letter it retries: asking
 * twice for the same one names the same workflow, and a new failure (a new dead
 * letter) a new one, never a finished retry. It starts with the order's
 * workflow id, so `orderWorkflowIdPrefix` finds it too.
 */
export function retryVariantWorkflowId(orderId: string, variantNumber: number, deadLetterId: string): string {
  return `${generateSongWorkflowId(orderId)}:retry:${variantNumber}:${deadLetterId}`;
}

/** Every workflow of an order (generate-song and its retries) has an id starting with this. */
export function orderWorkflowIdPrefix(orderId: string): string {
  return generateSongWorkflowId(orderId);
}
