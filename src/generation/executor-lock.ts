import pg from 'pg';

/**
 * Holds a session-level advisory lock named after a DBOS executor id for as long
 * as this process lives. DBOS recovers the PENDING workflows of its executor id
 * at launch, so a second live process with the same id would take over (and
 * pay the provider again for) workflows the first is still running. Postgres
 * drops the lock the moment the holder's connection closes, so a crashed
 * worker's successor gets it at once.
 * @throws Error naming the variable to set when another live process holds the id.
 */
export async function lockExecutorId(databaseUrl: string, executorId: string): Promise<{ release(): Promise<void> }> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: `songswipe-worker:${executorId}` });
  await client.connect();
  client.on('error', () => {});
  const { rows } = await client.query<{ locked: boolean }>(`select pg_try_advisory_lock(hashtext('songswipe.executor'), hashtext($1)) as locked`, [executorId]);
  if (!rows[0]?.locked) {
    await client.end();
    throw new Error(
      `another worker is already running with WORKER_EXECUTOR_ID=${executorId}. ` +
        `Give each worker process its own stable id, e.g. WORKER_EXECUTOR_ID=${executorId}-2.`,
    );
  }
  return { release: () => client.end() };
}
