import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/db/migrate';
import { createTestDatabase, type TestDatabase } from '../support/database';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
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
