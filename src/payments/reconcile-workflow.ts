import { DBOS } from '@dbos-inc/dbos-sdk';
import { type ReconcileDeps, reconcileCheckouts } from './reconcile-checkouts';

/** The DBOS workflow (and schedule) name of the reconciliation with Stripe. */
export const RECONCILE_CHECKOUTS_WORKFLOW = 'reconcile-checkouts';

/**
 * Registers the `reconcile-checkouts` workflow with DBOS: one checkpointed step
 * running `reconcileCheckouts` under the workflow's id as its run id. Each
 * replay inside is its own idempotent transaction (the replay's event id is
 * claimed in `stripe_events`), so a step retried after a crash redoes only what
 * did not commit. Before `DBOS.launch()`.
 * @param deps resolved lazily, after launch (the DBOS client is created then).
 */
export function registerReconcileCheckoutsWorkflow(deps: () => Promise<ReconcileDeps>): (scheduledAt: Date, context: unknown) => Promise<void> {
  return DBOS.registerWorkflow(
    async (scheduledAt: Date, _context: unknown) => {
      const runId = DBOS.workflowID!;
      const replayed = await DBOS.runStep(async () => (await reconcileCheckouts(await deps(), runId)).length, {
        name: 'reconcile',
        retriesAllowed: true,
        maxAttempts: 3,
        intervalSeconds: 30,
        backoffRate: 2,
      });
      DBOS.logger.info(`reconcile-checkouts run ${runId} (scheduled ${new Date(scheduledAt).toISOString()}): ${replayed} sessions replayed`);
    },
    { name: RECONCILE_CHECKOUTS_WORKFLOW },
  );
}

/**
 * Puts the reconciliation on its schedule (DBOS schedules live in the system
 * database: every worker shares one, and each firing is one workflow, whichever
 * worker runs it), or removes it (`cron` undefined). After `DBOS.launch()`.
 * @param cron a crontab expression (`0 * * * *`: hourly, the default of RECONCILE_CHECKOUTS_CRON).
 */
export async function scheduleReconcileCheckouts(workflow: (scheduledAt: Date, context: unknown) => Promise<void>, cron: string | undefined): Promise<void> {
  if (cron) await DBOS.applySchedules([{ scheduleName: RECONCILE_CHECKOUTS_WORKFLOW, workflowFn: workflow, schedule: cron }]);
  else if (await DBOS.getSchedule(RECONCILE_CHECKOUTS_WORKFLOW)) await DBOS.deleteSchedule(RECONCILE_CHECKOUTS_WORKFLOW);
}
