import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, inject } from 'vitest';
import { closePools } from '../../src/db/pool';
import { destroyDbosClients } from '../../src/generation/enqueue';
import { databaseUrl, testDatabasePrefix } from './database-url';

export interface TestDatabase {
  url: string;
  name: string;
  /** A privileged pool on this database (closed after the file). */
  pool: pg.Pool;
}

const created: { name: string; pool: pg.Pool }[] = [];

// Registered when a test file imports this module (hooks registered inside a
// beforeAll are ignored): drops every database the file created. The run's
// global teardown also drops anything left with this run's prefix.
afterAll(async () => {
  await destroyDbosClients();
  await closePools();
  const adminUrl = inject('adminUrl');
  for (const { name, pool } of created.splice(0)) {
    await pool.end().catch(() => {});
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    await c.query(`drop database if exists ${name} with (force)`);
    await c.end();
  }
});

/**
 * A fresh, fully migrated database for this test file, cloned from the run's
 * template and dropped after the file's tests.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('adminUrl');
  const name = `${testDatabasePrefix(inject('runId'))}${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
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
  const pool = new pg.Pool({ connectionString: url, max: 5 });
  created.push({ name, pool });
  return { url, name, pool };
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
