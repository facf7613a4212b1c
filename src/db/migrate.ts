import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type pg from 'pg';
import type { Logger } from 'pino';
import { connectClient } from './pool';

const run = promisify(execFile);

/** Repository root: the folder holding `supabase/` and `node_modules/.bin`. */
export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..', '..');

/**
 * The Supabase CLI speaks TLS by default; local servers do not, so it needs
 * `sslmode=disable` for them (docs/architecture.md "Version notes").
 */
export function cliDatabaseUrl(url: string): string {
  const parsed = new URL(url);
  if (['127.0.0.1', 'localhost', '::1', '[::1]'].includes(parsed.hostname) && !parsed.searchParams.has('sslmode')) {
    parsed.searchParams.set('sslmode', 'disable');
  }
  return parsed.toString();
}

async function hasSupabaseAuth(client: pg.Client): Promise<boolean> {
  const { rows } = await client.query<{ present: boolean }>(
    `select to_regclass('auth.users') is not null and to_regprocedure('auth.uid()') is not null as present`,
  );
  return rows[0]?.present ?? false;
}

const MIGRATION_LOCK_POLL_MS = 250;

/**
 * Takes the session advisory lock `songswipe.migrate` on `client`, polling
 * with pg_try_advisory_lock rather than waiting in pg_advisory_lock: a waiting
 * statement keeps its transaction open, and the holder's `dbos schema` runs
 * CREATE INDEX CONCURRENTLY, which waits for every open transaction: the two
 * would wait for each other for good.
 */
async function takeMigrationLock(client: pg.Client, log: Logger): Promise<void> {
  for (let waiting = false; ; waiting = true) {
    const { rows } = await client.query<{ locked: boolean }>(`select pg_try_advisory_lock(hashtext('songswipe.migrate')) as locked`);
    if (rows[0]?.locked) return;
    if (!waiting) log.info('another launcher is migrating this database; waiting for it');
    await new Promise((r) => setTimeout(r, MIGRATION_LOCK_POLL_MS));
  }
}

async function bin(name: string, args: string[], log: Logger): Promise<void> {
  const file = path.join(PROJECT_ROOT, 'node_modules', '.bin', name);
  try {
    const { stdout, stderr } = await run(file, args, { cwd: PROJECT_ROOT, maxBuffer: 10 * 1024 * 1024 });
    const out = `${stdout}${stderr}`.trim();
    if (out) log.debug({ tool: name }, out);
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${name} ${args[0] ?? ''} failed: ${(e.stderr || e.stdout || e.message).trim()}`);
  }
}

/**
 * Brings a database to the current schema. Idempotent: a re-run is a no-op.
 *
 * 1. On a plain PostgreSQL (no `auth` schema), applies the Supabase compat
 *    bootstrap (`supabase/compat/bootstrap.sql`). A Supabase project is left alone.
 * 2. Applies `supabase/migrations/*.sql` with the pinned Supabase CLI
 *    (`supabase migration up --db-url`), which records them in
 *    `supabase_migrations.schema_migrations`.
 * 3. Creates the DBOS system tables in schema `dbos` (`dbos schema`), so the web
 *    side can enqueue before any worker has launched.
 *
 * Concurrent calls on one database take turns (advisory lock `songswipe.migrate`).
 *
 * With `deploy` (the release step against a Supabase project, `npm run
 * db:migrate -- --deploy`), step 1 never runs: a database without Supabase's
 * `auth` schema is refused instead, before anything is written.
 *
 * @param databaseUrl a privileged connection string (owner of `public`).
 * @throws Error with the failing tool's output, or naming the missing `auth` schema (deploy).
 */
export async function migrate(databaseUrl: string, log: Logger, options: { deploy?: boolean } = {}): Promise<void> {
  // Two launchers started together (`npm run dev` next to `npm run worker`)
  // would otherwise run the bootstrap and the CLI side by side and fail with
  // "tuple concurrently updated". A session advisory lock, held on this
  // connection while the tools run, makes them take turns; the second finds
  // nothing left to do. It works for any DATABASE_URL, not just embedded.
  const client = await connectClient({ connectionString: databaseUrl }); // a dropped connection fails the query below instead
  try {
    await takeMigrationLock(client, log);
    const supabase = await hasSupabaseAuth(client);
    if (!supabase && options.deploy) {
      throw new Error(
        '--deploy expects a Supabase database, but this one has no auth.users/auth.uid(): check DATABASE_URL (for a plain PostgreSQL, run `npm run db:migrate` without --deploy)',
      );
    }
    if (!supabase) {
      log.info('plain PostgreSQL: applying the Supabase compat bootstrap');
      await client.query(readFileSync(path.join(PROJECT_ROOT, 'supabase', 'compat', 'bootstrap.sql'), 'utf8'));
    }
    log.info('applying supabase/migrations with the Supabase CLI');
    await bin('supabase', ['migration', 'up', '--db-url', cliDatabaseUrl(databaseUrl)], log);
    log.info('creating the DBOS system schema');
    await bin('dbos', ['schema', databaseUrl], log);
  } finally {
    await client.end(); // releases the lock
  }
}
