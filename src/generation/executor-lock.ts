import type pg from 'pg';
import { connectClient } from '../db/pool';

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
/** How long a holder whose connection dropped keeps trying to take its lock again, ms. */
const DEFAULT_REACQUIRE_WINDOW_MS = 10_000;
/** Pause between those attempts, ms. */
const REACQUIRE_RETRY_MS = 1000;

/**
 * The longest a live holder whose lock connection dropped can go on running
 * while someone else holds its lock, ms: a hung check is noticed after
 * CHECK_TIMEOUT_INTERVALS + 1 intervals, then it tries to take the lock again
 * for the reacquire window and stops. A successor that adopts an executor id
 * (./executor-takeover.ts) holds the lock this long before recovering its
 * workflows, so nothing runs twice.
 */
export const LOCK_LOSS_GIVE_UP_MS = DEFAULT_CHECK_INTERVAL_MS * (CHECK_TIMEOUT_INTERVALS + 1) + DEFAULT_REACQUIRE_WINDOW_MS;

export interface ExecutorLock {
  /** Ends the lock's connection, which releases the lock; not reported as a loss. */
  release(): Promise<void>;
}

/** Thrown when another live process holds the executor id. */
export class ExecutorIdTakenError extends Error {
  override name = 'ExecutorIdTakenError';
  constructor(readonly executorId: string) {
    super(
      `another worker is already running with WORKER_EXECUTOR_ID=${executorId}. ` +
        `Give each worker process its own stable id, e.g. WORKER_EXECUTOR_ID=${executorId}-2.`,
    );
  }
}

/**
 * Holds a session-level advisory lock named after a DBOS executor id for as long
 * as this process lives. DBOS recovers the PENDING workflows of its executor id
 * at launch, so a second live process with the same id would take over (and
 * pay the provider again for) workflows the first is still running. Postgres
 * drops the lock the moment the holder's connection closes, so a crashed
 * worker's successor gets it at once.
 *
 * The same happens when the connection drops under a live holder (a database
 * restart, a failover, pg_terminate_backend). The loss shows at once: the
 * connection's `error` or `end` event, or a check every `checkIntervalMs`
 * (default 5000) that the lock is still ours in pg_locks, which also catches a
 * connection that hangs without closing once a check has taken 4 intervals.
 * The holder then tries to take the lock again on a new connection, every
 * second for up to `reacquireWindowMs` (default 10 000): if nobody took it
 * meanwhile it is ours again and nothing ran twice, since a successor can only
 * recover our workflows while holding the lock. If another process holds it,
 * or the database stays unreachable, `onLost` is called (once) and the caller
 * must stop rather than run unfenced.
 *
 * @param onLost called with the reason when the lock is lost for good; not after `release()`.
 * @param onReacquired called when a dropped lock was taken again (for a log line).
 * @throws ExecutorIdTakenError when another live process holds the id.
 */
export async function lockExecutorId(
  databaseUrl: string,
  executorId: string,
  onLost: (reason: Error) => void,
  options: { checkIntervalMs?: number; reacquireWindowMs?: number; onReacquired?: (after: Error) => void } = {},
): Promise<ExecutorLock> {
  const checkIntervalMs = options.checkIntervalMs ?? DEFAULT_CHECK_INTERVAL_MS;
  const reacquireWindowMs = options.reacquireWindowMs ?? DEFAULT_REACQUIRE_WINDOW_MS;
  let state: 'held' | 'reacquiring' | 'released' | 'lost' = 'held';
  let client: pg.Client;
  let timer: NodeJS.Timeout | undefined;

  /** Opens a connection and takes the lock on it; throws ExecutorIdTakenError if someone else holds it. */
  const acquire = async (): Promise<pg.Client> => {
    const c: pg.Client = await connectClient(
      {
        connectionString: databaseUrl,
        application_name: `songswipe-worker:${executorId}`,
        keepAlive: true,
        query_timeout: checkIntervalMs * CHECK_TIMEOUT_INTERVALS,
      },
      (err) => dropped(c, new Error(`executor lock connection failed: ${err.message}`)),
    );
    c.on('end', () => dropped(c, new Error('executor lock connection closed')));
    try {
      const { rows } = await c.query<{ locked: boolean }>(`select pg_try_advisory_lock(hashtext('songswipe.executor'), hashtext($1)) as locked`, [executorId]);
      if (!rows[0]?.locked) throw new ExecutorIdTakenError(executorId);
      return c;
    } catch (err) {
      c.removeAllListeners('end');
      await c.end().catch(() => {});
      throw err;
    }
  };

  const dropped = (from: pg.Client, reason: Error) => {
    if (state !== 'held' || from !== client) return;
    state = 'reacquiring';
    clearInterval(timer);
    from.end().catch(() => {});
    void reacquire(reason);
  };

  const reacquire = async (reason: Error) => {
    const deadline = Date.now() + reacquireWindowMs;
    for (;;) {
      try {
        const c = await acquire();
        if (state !== 'reacquiring') return void (await c.end().catch(() => {})); // released meanwhile
        client = c;
        state = 'held';
        startChecks();
        options.onReacquired?.(reason);
        return;
      } catch (err) {
        if (state !== 'reacquiring') return;
        if (err instanceof ExecutorIdTakenError || Date.now() + REACQUIRE_RETRY_MS > deadline) {
          state = 'lost';
          return onLost(
            new Error(
              `${reason.message}; ${err instanceof ExecutorIdTakenError ? 'another process took the executor id' : `could not take it again: ${(err as Error).message}`}`,
            ),
          );
        }
        await new Promise((r) => setTimeout(r, REACQUIRE_RETRY_MS));
      }
    }
  };

  const startChecks = () => {
    let checking = false;
    const checked = client;
    timer = setInterval(() => {
      if (checking) return;
      checking = true;
      checked
        .query<{ held: boolean }>(
          `select exists (select 1 from pg_locks where locktype = 'advisory' and pid = pg_backend_pid() and granted
             and classid = hashtext('songswipe.executor')::oid and objid = hashtext($1)::oid and objsubid = 2) as held`,
          [executorId],
        )
        .then(({ rows: [row] }) => {
          if (!row?.held) dropped(checked, new Error('executor lock is no longer held by its connection'));
        })
        .catch((err: Error) => dropped(checked, new Error(`executor lock check failed: ${err.message}`)))
        .finally(() => (checking = false));
    }, checkIntervalMs);
    timer.unref();
  };

  client = await acquire();
  startChecks();
  return {
    async release() {
      const was = state;
      state = 'released';
      clearInterval(timer);
      if (was === 'held') await client.end();
    },
  };
}
