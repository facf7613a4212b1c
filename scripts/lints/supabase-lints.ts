/**
 * Supabase's database linter ("splinter", github.com/supabase/splinter), the
 * security and performance lints that apply to this schema, re-expressed in our
 * own SQL. Each check returns one row per finding: `{ object, detail }`.
 *
 * "Exposed" schemas are the ones PostgREST serves: `public` here (Supabase's
 * `pgrst.db_schemas` default). Schemas Supabase or DBOS own are skipped, as
 * splinter skips its own list.
 */

export interface Lint {
  /** splinter's number and name, e.g. `0013_rls_disabled_in_public`. */
  id: string;
  level: 'ERROR' | 'WARN' | 'INFO';
  category: 'SECURITY' | 'PERFORMANCE';
  sql: string;
}

const SKIPPED_SCHEMAS = `('pg_catalog', 'information_schema', 'pg_toast', 'auth', 'storage', 'extensions', 'graphql', 'graphql_public', 'realtime', 'vault', 'pgsodium', 'supabase_functions', 'supabase_migrations', 'dbos')`;
const EXPOSED = `('public')`;

/** Policies with their command and expressions as text, for the expression lints. */
const POLICIES = `
  select n.nspname as schema_name, c.relname as table_name, p.polname as policy_name, p.polpermissive as permissive,
         p.polroles as role_oids, p.polcmd as cmd, c.relrowsecurity as rls_on,
         coalesce(pg_get_expr(p.polqual, p.polrelid), '') as using_expr,
         coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '') as check_expr
  from pg_policy p
  join pg_class c on c.oid = p.polrelid
  join pg_namespace n on n.oid = c.relnamespace
  where n.nspname not in ${SKIPPED_SCHEMAS}`;

/** 0028/0029: a security definer function in an exposed schema that `role` may execute. */
function securityDefinerExecutable(id: string, role: 'anon' | 'authenticated'): Lint {
  return {
    id,
    level: 'WARN',
    category: 'SECURITY',
    sql: `
      select format('%s.%s(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)) as object,
             'security definer function callable by ${role}' as detail
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where p.prosecdef and n.nspname in ${EXPOSED} and has_function_privilege('${role}', p.oid, 'execute')`,
  };
}

export const LINTS: Lint[] = [
  {
    id: '0001_unindexed_foreign_keys',
    level: 'INFO',
    category: 'PERFORMANCE',
    // A foreign key is covered when some valid index starts with exactly its columns.
    sql: `
      select format('%s.%s', n.nspname, c.relname) as object, format('foreign key %s has no covering index', k.conname) as detail
      from pg_constraint k
      join pg_class c on c.oid = k.conrelid
      join pg_namespace n on n.oid = c.relnamespace
      where k.contype = 'f' and n.nspname not in ${SKIPPED_SCHEMAS}
        and not exists (
          select 1 from pg_index i
          where i.indrelid = k.conrelid and i.indisvalid
            and (string_to_array(i.indkey::text, ' ')::smallint[])[1:cardinality(k.conkey)] = k.conkey
        )`,
  },
  {
    id: '0002_auth_users_exposed',
    level: 'ERROR',
    category: 'SECURITY',
    // A view or materialized view in an exposed schema that reads auth.users and is readable by the API roles.
    sql: `
      select distinct format('%s.%s', n.nspname, v.relname) as object, 'exposes auth.users to the API roles' as detail
      from pg_depend d
      join pg_rewrite r on r.oid = d.objid
      join pg_class v on v.oid = r.ev_class
      join pg_namespace n on n.oid = v.relnamespace
      where d.refobjid = 'auth.users'::regclass and v.relkind in ('v', 'm') and n.nspname in ${EXPOSED}
        and (has_table_privilege('anon', v.oid, 'select') or has_table_privilege('authenticated', v.oid, 'select'))`,
  },
  {
    id: '0003_auth_rls_initplan',
    level: 'WARN',
    category: 'PERFORMANCE',
    // auth.<fn>() or current_setting() called per row instead of once through a sub-select.
    sql: `
      with p as (${POLICIES})
      select format('%s.%s', schema_name, table_name) as object, format('policy "%s" calls an auth function per row', policy_name) as detail
      from p, lateral (select lower(using_expr || ' ' || check_expr) as expr) e
      where rls_on and (
        (e.expr ~ 'auth\\.(uid|jwt|role|email)\\(\\)' and e.expr !~ 'select auth\\.(uid|jwt|role|email)\\(\\)')
        or (e.expr ~ 'current_setting\\(' and e.expr !~ 'select current_setting\\(')
      )`,
  },
  {
    id: '0006_multiple_permissive_policies',
    level: 'WARN',
    category: 'PERFORMANCE',
    sql: `
      with p as (${POLICIES}),
      expanded as (
        select p.*, r.rolname, a.action
        from p
        join pg_roles r on p.role_oids @> array[r.oid] or p.role_oids = array[0::oid]
        cross join lateral unnest(case cmd when 'r' then array['select'] when 'a' then array['insert'] when 'w' then array['update']
                                           when 'd' then array['delete'] else array['select', 'insert', 'update', 'delete'] end) a(action)
        where p.permissive and not r.rolbypassrls and r.rolname !~ '^pg_'
      )
      select format('%s.%s', schema_name, table_name) as object,
             format('%s permissive policies for role %s on %s: %s', count(*), rolname, action, string_agg(policy_name, ', ')) as detail
      from expanded group by schema_name, table_name, rolname, action having count(*) > 1`,
  },
  {
    id: '0007_policy_exists_rls_disabled',
    level: 'ERROR',
    category: 'SECURITY',
    sql: `
      with p as (${POLICIES})
      select distinct format('%s.%s', schema_name, table_name) as object, 'has policies but RLS is off' as detail from p where not rls_on`,
  },
  {
    id: '0008_rls_enabled_no_policy',
    level: 'INFO',
    category: 'SECURITY',
    sql: `
      select format('%s.%s', n.nspname, c.relname) as object, 'RLS is on but no policy exists' as detail
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind = 'r' and c.relrowsecurity and n.nspname not in ${SKIPPED_SCHEMAS}
        and not exists (select 1 from pg_policy p where p.polrelid = c.oid)`,
  },
  {
    id: '0010_security_definer_view',
    level: 'ERROR',
    category: 'SECURITY',
    // Views run with their owner's rights unless security_invoker is set.
    sql: `
      select format('%s.%s', n.nspname, c.relname) as object, 'view runs with its owner''s rights (no security_invoker)' as detail
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind = 'v' and n.nspname in ${EXPOSED}
        and (has_table_privilege('anon', c.oid, 'select') or has_table_privilege('authenticated', c.oid, 'select'))
        and not coalesce(c.reloptions, '{}') && array['security_invoker=true', 'security_invoker=on', 'security_invoker=1', 'security_invoker=yes']`,
  },
  {
    id: '0011_function_search_path_mutable',
    level: 'WARN',
    category: 'SECURITY',
    sql: `
      select format('%s.%s(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)) as object,
             'search_path is not pinned' as detail
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      left join pg_depend d on d.objid = p.oid and d.deptype = 'e'
      where n.nspname not in ${SKIPPED_SCHEMAS} and d.objid is null
        and not exists (select 1 from unnest(coalesce(p.proconfig, '{}')) cfg where cfg like 'search_path=%')`,
  },
  {
    id: '0013_rls_disabled_in_public',
    level: 'ERROR',
    category: 'SECURITY',
    sql: `
      select format('%s.%s', n.nspname, c.relname) as object, 'RLS is off on a table the API roles can read' as detail
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p') and not c.relrowsecurity and n.nspname in ${EXPOSED}
        and (has_table_privilege('anon', c.oid, 'select') or has_table_privilege('authenticated', c.oid, 'select'))`,
  },
  {
    id: '0015_rls_references_user_metadata',
    level: 'ERROR',
    category: 'SECURITY',
    // user_metadata is editable by the user: a policy must never trust it.
    sql: `
      with p as (${POLICIES})
      select format('%s.%s', schema_name, table_name) as object, format('policy "%s" reads user_metadata', policy_name) as detail
      from p where (using_expr || check_expr) ~* 'user_metadata'`,
  },
  {
    id: '0024_rls_policy_always_true',
    level: 'WARN',
    category: 'SECURITY',
    // Stricter than splinter, which forgives SELECT ... USING (true): docs/architecture.md ("Privacy") forbids it for every command.
    sql: `
      with p as (${POLICIES})
      select format('%s.%s', schema_name, table_name) as object, format('policy "%s" is always true', policy_name) as detail
      from p, lateral (select regexp_replace(lower(using_expr), '[\\s()]', '', 'g') as u, regexp_replace(lower(check_expr), '[\\s()]', '', 'g') as c) e
      where rls_on and permissive
        and (role_oids = array[0::oid] or role_oids && array[(select oid from pg_roles where rolname = 'anon'), (select oid from pg_roles where rolname = 'authenticated')])
        and (e.u in ('true', '1=1') or e.c in ('true', '1=1') or (cmd = 'a' and e.c = '') or (cmd in ('w', 'd', '*') and e.u = ''))`,
  },
  securityDefinerExecutable('0028_anon_security_definer_function_executable', 'anon'),
  securityDefinerExecutable('0029_authenticated_security_definer_function_executable', 'authenticated'),
  {
    id: 'songswipe_no_anon_policies',
    level: 'ERROR',
    category: 'SECURITY',
    // docs/architecture.md ("Privacy"): there are no anon policies on any table (public access goes through get_shared_song).
    sql: `
      with p as (${POLICIES})
      select format('%s.%s', schema_name, table_name) as object, format('policy "%s" applies to anon', policy_name) as detail
      from p where role_oids = array[0::oid] or role_oids @> array[(select oid from pg_roles where rolname = 'anon')]`,
  },
];

/**
 * Findings we accept on purpose, each with its reason. Anything else fails CI.
 */
export const ACCEPTED_FINDINGS: { id: string; object: string; reason: string }[] = [
  {
    id: '0028_anon_security_definer_function_executable',
    object: 'public.get_shared_song(token uuid)',
    reason: 'the one public door for share links: returns one complete variant’s whitelisted columns for a 122-bit token; search_path pinned to empty',
  },
  {
    id: '0029_authenticated_security_definer_function_executable',
    object: 'public.get_shared_song(token uuid)',
    reason: 'signed-in users open share links too; same function, same whitelist',
  },
];

export interface Finding {
  lint: string;
  level: Lint['level'];
  object: string;
  detail: string;
  accepted?: string;
}

/** Runs every lint against `query` (a privileged connection). */
export async function runLints(query: (sql: string) => Promise<{ rows: { object: string; detail: string }[] }>): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const lint of LINTS) {
    const { rows } = await query(lint.sql);
    for (const row of rows) {
      const accepted = ACCEPTED_FINDINGS.find((a) => a.id === lint.id && a.object === row.object)?.reason;
      findings.push({ lint: lint.id, level: lint.level, object: row.object, detail: row.detail, ...(accepted && { accepted }) });
    }
  }
  return findings;
}
