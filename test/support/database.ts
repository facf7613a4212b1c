import { randomBytes } from 'node:crypto';
import { DBOS } from '@dbos-inc/dbos-sdk';
import type pg from 'pg';
import { afterAll, inject } from 'vitest';
import { closePools, connectClient, createPool } from '../../src/db/pool';
import { destroyDbosClients } from '../../src/generation/enqueue';
import { databaseUrl, testDatabasePrefix } from './database-url';

export interface TestDatabase {
  url: string;
  name: string;
  /** A privileged pool on this database (closed after the file). */
  pool: pg.Pool;
  /** Another pool on this database, for tests that need their own size; closed after the file like `pool`. */
  newPool(config?: Omit<pg.PoolConfig, 'connectionString'>): pg.Pool;
}

const created: { name: string; pools: pg.Pool[] }[] = [];

// Registered when a test file imports this module (hooks registered inside a
// beforeAll are ignored), and written so that the order of the file's own
// after-hooks does not matter: it stops the in-process DBOS runtime and ends every
// pool that could still hold a connection, then drops the databases. `pool.end()`
// resolves before its sockets are closed, so the drop's WITH (FORCE) may still
// terminate a closing connection: every pool here has an `error` listener
// (createPool), so that is never an uncaught exception.
afterAll(async () => {
  if (DBOS.isInitialized()) await DBOS.shutdown();
  await destroyDbosClients();
  await closePools();
  const adminUrl = inject('adminUrl');
  for (const { name, pools } of created.splice(0)) {
    await Promise.all(pools.map((p) => p.end().catch(() => {})));
    const c = await connectClient({ connectionString: adminUrl });
    try {
      await c.query(`drop database if exists ${name} with (force)`);
    } finally {
      await c.end();
    }
  }
});

/**
 * A fresh, fully migrated database for this test file, cloned from the run's
 * template and dropped after the file's tests.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('adminUrl');
  const name = `${testDatabasePrefix(inject('runId'))}${randomBytes(4).toString('hex')}`;
  const admin = await connectClient({ connectionString: adminUrl });
  // CREATE DATABASE … TEMPLATE needs the template to be idle; files start together, so retry briefly.
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.query(`create database ${name} template ${inject('templateDb')}`);
      break;
    } catch (err) {
      if (attempt >= 20 || !/being accessed by other users/.test((err as Error).message)) throw err;
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
    }
  }
  await admin.end();
  const url = databaseUrl(adminUrl, name);
  const pools: pg.Pool[] = [];
  const newPool = (config: Omit<pg.PoolConfig, 'connectionString'> = {}) => {
    const pool = createPool({ max: 5, ...config, connectionString: url });
    pools.push(pool);
    return pool;
  };
  created.push({ name, pools });
  return { url, name, pool: newPool(), newPool };
}

/** Inserts a user into auth.users, as Supabase Auth does at sign-up. */
export async function createUser(db: pg.Pool, opts: { appMetadata?: Record<string, unknown>; userMetadata?: Record<string, unknown> } = {}): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `insert into auth.users (id, email, raw_app_meta_data, raw_user_meta_data)
     values (gen_random_uuid(), 'user-' || substr(md5(random()::text), 1, 8) || '@example.test', $1, $2) returning id`,
    [JSON.stringify(opts.appMetadata ?? {}), JSON.stringify(opts.userMetadata ?? {})],
  );
  return rows[0]!.id;
}
