import { DBOSClient } from '@dbos-inc/dbos-sdk';
import type pg from 'pg';
import { createPool, type Tx } from '../db/pool';
import { APP_NAME, APP_VERSION, GENERATE_SONG_WORKFLOW, GENERATION_QUEUE, generateSongWorkflowId } from './workflow-names';

const clients = new Map<string, Promise<DBOSClient>>();
const pools = new Map<DBOSClient, pg.Pool>();

/**
 * One DBOS client per process and database. It holds a small pool of its own:
 * `poolSize` connections at most (set by the first caller; no LISTEN
 * connection), named `songswipe-dbos-client` in `pg_stat_activity` so the
 * connection budget can be checked (README "Connection budget").
 */
export function getDbosClient(databaseUrl: string, poolSize = 4): Promise<DBOSClient> {
  let client = clients.get(databaseUrl);
  if (!client) {
    const pool = createPool({ connectionString: databaseUrl, max: poolSize, idleTimeoutMillis: 30_000, application_name: 'songswipe-dbos-client' });
    client = DBOSClient.create({ systemDatabaseUrl: databaseUrl, systemDatabasePool: pool, applicationName: APP_NAME }).then(
      (c) => {
        pools.set(c, pool);
        return c;
      },
      async (err: unknown) => {
        await pool.end();
        throw err;
      },
    );
    client.catch(() => clients.delete(databaseUrl));
    clients.set(databaseUrl, client);
  }
  return client;
}

export async function destroyDbosClients(): Promise<void> {
  const all = [...clients.values()];
  clients.clear();
  await Promise.all(
    all.map(async (pending) => {
      const c = await pending;
      // DBOS leaves a pool it was given open
      await c.destroy();
      await pools.get(c)?.end();
      pools.delete(c);
    }),
  );
}

/**
 * Enqueues the generate-song workflow for an order inside the caller's
 * transaction (`DBOSClient.enqueueInTransaction`): it exists if and only if the
 * transaction that recorded the payment commits. The workflow id is
 * `order:<orderId>`, so a second enqueue for the same order returns the existing
 * workflow instead of starting another.
 * @returns the workflow id.
 */
export async function enqueueGenerateSong(tx: Tx, client: DBOSClient, orderId: string): Promise<string> {
  const workflowID = generateSongWorkflowId(orderId);
  await client.enqueueInTransaction(
    tx,
    {
      queueName: GENERATION_QUEUE,
      workflowName: GENERATE_SONG_WORKFLOW,
      workflowID,
      appVersion: APP_VERSION,
      applicationName: APP_NAME,
    },
    orderId,
  );
  return workflowID;
}
