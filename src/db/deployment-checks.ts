import type { Queryable } from './pool';

// Row types here are hand-written: these read catalogs and the Supabase CLI's and DBOS's schemas, none of which are generated.

/** Versions recorded by the Supabase CLI (`supabase migration up` / `db push`); empty when none ran. */
export async function appliedMigrationVersions(db: Queryable): Promise<Set<string>> {
  const { rows: exists } = await db.query<{ t: string | null }>(`select to_regclass('supabase_migrations.schema_migrations')::text as t`);
  if (!exists[0]?.t) return new Set();
  const { rows } = await db.query<{ version: string }>('select version from supabase_migrations.schema_migrations');
  return new Set(rows.map((r) => r.version));
}

/** Tables in the schemas PostgREST exposes (`public`) with row-level security off, as `schema.table`. */
export async function tablesWithoutRls(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `select n.nspname || '.' || c.relname as name
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relrowsecurity
      order by 1`,
  );
  return rows.map((r) => r.name);
}

/** Whether the DBOS system schema exists (the web side enqueues into it). */
export async function hasDbosSystemSchema(db: Queryable): Promise<boolean> {
  const { rows } = await db.query<{ t: string | null }>(`select to_regclass('dbos.workflow_status')::text as t`);
  return Boolean(rows[0]?.t);
}
