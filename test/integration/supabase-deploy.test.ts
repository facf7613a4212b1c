import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/db/migrate';
import { connectClient } from '../../src/db/pool';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { databaseUrl, testDatabasePrefix } from '../support/database-url';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});

/** Empty databases this file creates (not clones of the migrated template); dropped after the file. */
const emptyDatabases: string[] = [];
afterAll(async () => {
  if (!emptyDatabases.length) return;
  const admin = await connectClient({ connectionString: inject('adminUrl') });
  try {
    for (const name of emptyDatabases.splice(0)) await admin.query(`drop database if exists ${name} with (force)`);
  } finally {
    await admin.end();
  }
});

async function emptyDatabase(): Promise<string> {
  const name = `${testDatabasePrefix(inject('runId'))}deploy_${randomBytes(4).toString('hex')}`;
  const admin = await connectClient({ connectionString: inject('adminUrl') });
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  emptyDatabases.push(name);
  return databaseUrl(inject('adminUrl'), name);
}

/** Runs `npm run db:migrate -- --deploy` (the script itself) against `url`. */
async function migrateDeploy(url: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/migrate.ts', '--deploy'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn' },
    });
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

async function scalar<T>(url: string, sql: string): Promise<T> {
  const client = await connectClient({ connectionString: url });
  try {
    return (await client.query(sql)).rows[0].v as T;
  } finally {
    await client.end();
  }
}

describe('release step: npm run db:migrate -- --deploy', () => {
  it('on a Supabase database applies every migration and the DBOS system schema, without the compat bootstrap', async () => {
    const url = await emptyDatabase();
    // Stands in for what the Supabase platform provides (auth schema, roles); --deploy must not create it.
    const client = await connectClient({ connectionString: url });
    try {
      await client.query(readFileSync(path.join(PROJECT_ROOT, 'supabase', 'compat', 'bootstrap.sql'), 'utf8'));
    } finally {
      await client.end();
    }
    const result = await migrateDeploy(url);
    expect(result, result.output).toMatchObject({ code: 0 });
    const files = readdirSync(path.join(PROJECT_ROOT, 'supabase', 'migrations')).filter((f) => f.endsWith('.sql'));
    expect(await scalar<number>(url, 'select count(*)::int as v from supabase_migrations.schema_migrations')).toBe(files.length);
    expect(await scalar<string | null>(url, `select to_regclass('dbos.workflow_status')::text as v`)).toBe('dbos.workflow_status');
    expect(await scalar<string | null>(url, `select to_regclass('public.orders')::text as v`)).toBe('orders');
  });

  it("refuses a database without Supabase's auth schema and writes nothing", async () => {
    const url = await emptyDatabase();
    const result = await migrateDeploy(url);
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/--deploy expects a Supabase database/);
    expect(await scalar<string | null>(url, `select to_regnamespace('auth')::text as v`)).toBeNull();
    expect(await scalar<string | null>(url, `select to_regclass('public.orders')::text as v`)).toBeNull();
  });

  it('refuses the transaction pooler before connecting', async () => {
    const result = await migrateDeploy('postgres://postgres.ref:pw@aws-0-eu-central-1.pooler.supabase.com:6543/postgres');
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/DATABASE_URL: port 6543 is Supabase's transaction pooler/);
  });
});

const bucketMigration = readFileSync(path.join(PROJECT_ROOT, 'supabase', 'migrations', '20261130170000_songs_storage_bucket.sql'), 'utf8');

describe('the songs bucket migration', () => {
  it('is a no-op on plain PostgreSQL, which has no storage schema (the template applied it already)', async () => {
    const { rows } = await db.pool.query(`select to_regclass('storage.buckets') as t`);
    expect(rows[0].t).toBeNull();
    await db.pool.query(bucketMigration);
  });

  it('on a Supabase-shaped storage schema creates the songs bucket private with the audio allow-list, and a re-run keeps it', async () => {
    const client = await db.pool.connect();
    try {
      await client.query('begin');
      // The columns of Supabase's storage.buckets that the migration writes.
      await client.query(`create schema storage;
        create table storage.buckets (id text primary key, name text not null, public boolean default false,
          file_size_limit bigint, allowed_mime_types text[])`);
      await client.query(bucketMigration);
      await client.query(`update storage.buckets set file_size_limit = 1 where id = 'songs'`);
      await client.query(bucketMigration);
      const { rows } = await client.query('select * from storage.buckets');
      expect(rows).toEqual([{ id: 'songs', name: 'songs', public: false, file_size_limit: '1', allowed_mime_types: ['audio/mpeg', 'audio/wav'] }]);
    } finally {
      await client.query('rollback');
      client.release();
    }
  });
});
