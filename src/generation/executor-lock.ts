import pg from 'pg';

/** Exit code of a worker that lost its executor lock (EX_TEMPFAIL): the launcher starts it again. */
export const EXECUTOR_LOCK_LOST_EXIT_CODE = 75;

/** How often the lock is confirmed in pg_locks, ms. */
const DEFAULT_CHECK_INTERVAL_MS = 5000;
/**
 * A check may take this many intervals before the connection counts as hung.
 * Generous on purpose: a worker's event loop can stall for seconds (MP3
 * encoding on a busy machine), and a false alarm costs a restart and repeated
 * provider calls. While a connection merely hangs, the server still holds the
 * lock, so no successor can take it meanwhile.
 */
const CHECK_TIMEOUT_INTERVALS = 4;

export interface ExecutorLock {
  /** Ends the lock's connection, which releases the lock; not reported as a loss. */
  release(): Promise<void>;
}

/**
 * Holds a session-level advisory lock named after a DBOS executor id for as long
 * as this process lives. DBOS recovers the PENDING workflows of its executor id
 * at launch, so a second live process with the same id would take over (and
 * pay the provider again for) workflows the first is still running. Postgres
 * drops the lock the moment the holder's connection closes, so a crashed
 * worker's successor gets it at once.
 *
 * The same holds when the connection drops under a live holder (a database
 * restart, a failover, pg_terminate_backend): the lock is gone and a successor
 * may take it. The holder must then stop at once, so `onLost` is called
 * (once) as soon as the loss shows: the connection's `error` or `end` event,
 * or a check every `checkIntervalMs` (default 5000) that the lock is still ours
 * in pg_locks, which also catches a connection that hangs without closing once
 * a check has taken 4 intervals.
 *
 * @param onLost called with the reason when the lock is lost; not after `release()`.
 * @throws Error naming the variable to set when another live process holds the id.
 */
export async function lockExecutorId(
  databaseUrl: string,
  executorId: string,
  onLost: (reason: Error) => void,
  options: { checkIntervalMs?: number } = {},
): Promise<ExecutorLock> {
  const checkIntervalMs = options.checkIntervalMs ?? DEFAULT_CHECK_INTERVAL_MS;
  const client = new pg.Client({
    connectionString: databaseUrl,
    application_name: `songswipe-worker:${executorId}`,
    keepAlive: true,
    query_timeout: checkIntervalMs * CHECK_TIMEOUT_INTERVALS,
  });
  let state: 'acquiring' | 'held' | 'released' | 'lost' = 'acquiring';
  let timer: NodeJS.Timeout | undefined;
  const lost = (reason: Error) => {
    if (state !== 'held') return;
    state = 'lost';
    clearInterval(timer);
    client.end().catch(() => {});
    onLost(reason);
  };
  client.on('error', (err) => lost(new Error(`executor lock connection failed: ${err.message}`)));
  client.on('end', () => lost(new Error('executor lock connection closed')));
  await client.connect();
  const { rows } = await client.query<{ locked: boolean }>(`select pg_try_advisory_lock(hashtext('songswipe.executor'), hashtext($1)) as locked`, [executorId]);
  if (!rows[0]?.locked) {
    state = 'released';
    await client.end();
    throw new Error(
      `another worker is already running with WORKER_EXECUTOR_ID=${executorId}. ` +
        `Give each worker process its own stable id, e.g. WORKER_EXECUTOR_ID=${executorId}-2.`,
    );
  }
  state = 'held';
  let checking = false;
  timer = setInterval(() => {
    if (checking) return;
    checking = true;
    client
      .query<{ held: boolean }>(
        `select exists (select 1 from pg_locks where locktype = 'advisory' and pid = pg_backend_pid() and granted
           and classid = hashtext('songswipe.executor')::oid and objid = hashtext($1)::oid and objsubid = 2) as held`,
        [executorId],
      )
      .then(({ rows: [row] }) => {
        if (!row?.held) lost(new Error('executor lock is no longer held by its connection'));
      })
      .catch((err: Error) => lost(new Error(`executor lock check failed: ${err.message}`)))
      .finally(() => (checking = false));
  }, checkIntervalMs);
  timer.unref();
  return {
    async release() {
      if (state !== 'held') return;
      state = 'released';
      clearInterval(timer);
      await client.end();
    },
  };
}
