import { setTimeout as sleep } from 'node:timers/promises';
import { getExecutor } from '@dbos-inc/dbos-sdk/internal/dbos';
import type { Logger } from 'pino';
import type pg from 'pg';
import { connectClient } from '../db/pool';
import { LOCK_LOSS_GIVE_UP_MS } from './executor-lock';
import { APP_VERSION } from './workflow-names';

/**
 * The advisory-lock key of an executor id: the very lock ./executor-lock.ts
 * holds for a live worker's whole life ($1 = the executor id).
 */
const EXECUTOR_LOCK_KEY = `hashtext('songswipe.executor'), hashtext($1)`;

/** How often a worker looks for dead executors, ms. */
export const TAKEOVER_INTERVAL_MS = 2000;
/**
 * How long an adopted id's lock is held before its workflows are recovered,
 * ms: a holder that is alive but lost its lock connection has stopped by then.
 */
export const TAKEOVER_GRACE_MS = LOCK_LOSS_GIVE_UP_MS + 2000;

/**
 * Executor ids (other than `ownId`) that own PENDING workflows of this
 * application version: each is either a live worker or a dead one.
 */
async function executorsWithPendingWork(client: pg.Client, ownId: string): Promise<string[]> {
  const { rows } = await client.query<{ executor_id: string }>(
    `select distinct executor_id from dbos.workflow_status
     where status = 'PENDING' and executor_id <> $1 and application_version = $2`,
    [ownId, APP_VERSION],
  );
  return rows.map((r) => r.executor_id);
}

/**
 * Adopts the PENDING workflows of dead workers, so a worker machine that never
 * comes back strands no order. DBOS recovers a workflow only under its own
 * executor id (at launch), so without this a dead worker's workflows, and the
 * provider slots its running variants hold, wait for a process started under
 * that id by hand.
 *
 * Every `intervalMs` it lists the executor ids that own PENDING workflows and
 * tries each one's liveness lock (./executor-lock.ts) without waiting. A live
 * worker holds its lock, so that try fails and it is left alone. A dead
 * worker's lock is free (Postgres drops it with the connection): this worker
 * takes it, and keeps it for `graceMs` first, since a free lock may also mean
 * a live worker whose lock connection dropped: that worker cannot take its
 * lock back meanwhile, so it stops (./executor-lock.ts) before anything is
 * recovered. Then, still holding the lock, it has DBOS recover that executor's workflows
 * (`recoverPendingWorkflows([id])`, the recovery DBOS runs at launch and
 * Conductor runs for other executors), which puts them back on their queues
 * for any worker to dequeue; then it lets the lock go. Two survivors never
 * adopt the same id: the lock admits one at a time, and after the first has
 * recovered them no PENDING workflow of that id is left.
 * A step that was running when its worker died runs again (its provider call
 * is then recorded `unknown` in the ledger: the only extra paid call).
 * @returns `stop()`, which ends the loop and its connection.
 */
export function startExecutorTakeover(options: { databaseUrl: string; ownExecutorId: string; log: Logger; intervalMs?: number; graceMs?: number }): {
  stop(): Promise<void>;
} {
  const { databaseUrl, ownExecutorId, log } = options;
  const intervalMs = options.intervalMs ?? TAKEOVER_INTERVAL_MS;
  const graceMs = options.graceMs ?? TAKEOVER_GRACE_MS;
  let client: pg.Client | undefined;
  let stopped = false;
  const stopping = new AbortController();
  let running: Promise<void> = Promise.resolve();

  const adopt = async (c: pg.Client, executorId: string) => {
    const { rows } = await c.query<{ locked: boolean }>(`select pg_try_advisory_lock(${EXECUTOR_LOCK_KEY}) as locked`, [executorId]);
    if (!rows[0]?.locked) return; // alive, or another survivor is adopting it right now
    let held = 1;
    try {
      log.warn({ deadExecutorId: executorId, graceMs }, 'took the lock of an executor id with pending workflows; recovering them after the grace period');
      await sleep(graceMs, undefined, { signal: stopping.signal }).catch(() => {});
      if (stopped) return;
      // Still ours? (Session locks stack: true again only on the same, live connection.)
      const again = await c.query<{ locked: boolean }>(`select pg_try_advisory_lock(${EXECUTOR_LOCK_KEY}) as locked`, [executorId]);
      if (!again.rows[0]?.locked) return;
      held++;
      const handles = await getExecutor().recoverPendingWorkflows([executorId]);
      if (handles.length) {
        log.warn({ deadExecutorId: executorId, workflows: handles.length }, 'adopted the pending workflows of a dead worker; they are back on their queues');
      }
    } finally {
      for (; held > 0; held--) await c.query(`select pg_advisory_unlock(${EXECUTOR_LOCK_KEY})`, [executorId]);
    }
  };

  const sweep = async () => {
    try {
      client ??= await connectClient({ connectionString: databaseUrl, application_name: `songswipe-takeover:${ownExecutorId}` }, (err) => {
        log.warn({ err }, 'takeover connection lost; reconnecting at the next sweep');
        client = undefined;
      });
      for (const id of await executorsWithPendingWork(client, ownExecutorId)) {
        if (stopped) return;
        await adopt(client, id);
      }
    } catch (err) {
      log.warn({ err }, 'dead-worker sweep failed; trying again at the next one');
      const broken = client;
      client = undefined;
      await broken?.end().catch(() => {});
    }
  };

  let busy = false;
  const timer = setInterval(() => {
    if (busy) return; // a slow sweep is still at work: never two at once
    busy = true;
    running = sweep().finally(() => (busy = false));
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      stopping.abort();
      clearInterval(timer);
      await running;
      await client?.end().catch(() => {});
    },
  };
}
