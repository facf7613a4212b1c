import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { migrate } from '../../src/db/migrate';
import { quietLog } from '../support/fixtures';
import { databaseUrl, testDatabasePrefix } from '../support/database-url';
import { connectClient } from '../../src/db/pool';

// An empty database (not the migrated template): what two launchers meet on a first run.
const name = `${testDatabasePrefix(inject('runId'))}empty_${randomBytes(4).toString('hex')}`;

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = await connectClient({ connectionString: inject('adminUrl') });
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

afterAll(async () => {
  await admin((c) => c.query(`drop database if exists ${name} with (force)`));
});

describe('migrations', () => {
  it('two launchers migrating one empty database at the same moment both succeed, and the schema is applied once', async () => {
    await admin((c) => c.query(`create database ${name}`));
    const url = databaseUrl(inject('adminUrl'), name);
    const results = await Promise.allSettled([migrate(url, quietLog), migrate(url, quietLog)]);
    expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok'))).toEqual(['ok', 'ok']);

    const c = await connectClient({ connectionString: url });
    try {
      const { rows } = await c.query<{ n: number; distinct: number }>(
        'select count(*)::int as n, count(distinct version)::int as distinct from supabase_migrations.schema_migrations',
      );
      expect(rows[0]!.n).toBeGreaterThan(0);
      expect(rows[0]!.n).toBe(rows[0]!.distinct);
      expect((await c.query(`select to_regclass('public.orders') as t, to_regclass('dbos.workflow_status') as w`)).rows[0]).toEqual({
        t: 'orders',
        w: 'dbos.workflow_status',
      });
    } finally {
      await c.end();
    }
  });
});
