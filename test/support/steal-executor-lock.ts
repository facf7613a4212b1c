import type pg from 'pg';
import { connectClient } from '../../src/db/pool';

/**
 * Stands in for a second worker that takes an executor id the moment its holder's
 * connection drops: terminates the holder's lock connection (application_name
 * `songswipe-worker:<id>`) and, in the same statement, queues for the same
 * advisory lock, which Postgres grants as soon as the terminated backend has
 * gone: before the holder can even notice and try to take it again.
 * @returns the stolen lock; `release()` ends its connection.
 */
export async function stealExecutorLock(databaseUrl: string, executorId: string): Promise<{ release(): Promise<void> }> {
  const thief: pg.Client = await connectClient({ connectionString: databaseUrl });
  const { rows } = await thief.query<{ terminated: boolean }>(
    `select pg_terminate_backend(a.pid) as terminated, pg_advisory_lock(hashtext('songswipe.executor'), hashtext($1)) is not null as locked
       from pg_stat_activity a where a.application_name = 'songswipe-worker:' || $1 and a.datname = current_database()`,
    [executorId],
  );
  if (rows.length !== 1 || !rows[0]!.terminated) {
    await thief.end();
    throw new Error(`expected one lock connection for executor ${executorId}, found ${rows.length}`);
  }
  return { release: () => thief.end() };
}
