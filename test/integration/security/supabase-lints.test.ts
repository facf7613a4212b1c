import { beforeAll, describe, expect, it } from 'vitest';
import { LINTS, runLints, type Finding } from '../../../scripts/lints/supabase-lints';
import { createTestDatabase, type TestDatabase } from '../../support/database';

let db: TestDatabase;
let findings: Finding[];

beforeAll(async () => {
  db = await createTestDatabase();
  findings = await runLints((sql) => db.pool.query(sql));
});

describe(`Supabase database linter (splinter), ${LINTS.length} lints on the migrated schema`, () => {
  it('finds nothing but the accepted, documented exceptions', () => {
    expect(findings.filter((f) => !f.accepted)).toEqual([]);
    expect(findings.map((f) => `${f.lint} ${f.object}`).sort()).toEqual([
      '0028_anon_security_definer_function_executable public.get_shared_song(token uuid)',
      '0029_authenticated_security_definer_function_executable public.get_shared_song(token uuid)',
    ]);
  });

  it.each([
    ['0013_rls_disabled_in_public', `create table public.lint_probe (id int); grant select on public.lint_probe to anon;`],
    [
      '0007_policy_exists_rls_disabled',
      `create table public.lint_probe (id int); create policy p on public.lint_probe for select to authenticated using (id = 1);`,
    ],
    [
      '0024_rls_policy_always_true',
      `create table public.lint_probe (id int); alter table public.lint_probe enable row level security; create policy p on public.lint_probe for select to authenticated using (true);`,
    ],
    [
      '0015_rls_references_user_metadata',
      `create table public.lint_probe (id int); alter table public.lint_probe enable row level security; create policy p on public.lint_probe for select to authenticated using ((select auth.jwt()) -> 'user_metadata' ->> 'role' = 'admin');`,
    ],
    [
      '0003_auth_rls_initplan',
      `create table public.lint_probe (user_id uuid); alter table public.lint_probe enable row level security; create policy p on public.lint_probe for select to authenticated using (auth.uid() = user_id);`,
    ],
    [
      '0006_multiple_permissive_policies',
      `create table public.lint_probe (user_id uuid); alter table public.lint_probe enable row level security; create policy p1 on public.lint_probe for select to authenticated using ((select auth.uid()) = user_id); create policy p2 on public.lint_probe for select to authenticated using (user_id is null);`,
    ],
    ['0011_function_search_path_mutable', `create function public.lint_probe() returns int language sql as 'select 1';`],
    [
      '0028_anon_security_definer_function_executable',
      `create function public.lint_probe() returns int language sql security definer set search_path = '' as 'select 1'; grant execute on function public.lint_probe() to anon;`,
    ],
    ['0010_security_definer_view', `create view public.lint_probe as select 1 as x; grant select on public.lint_probe to authenticated;`],
    [
      '0002_auth_users_exposed',
      `create view public.lint_probe with (security_invoker = true) as select id from auth.users; grant select on public.lint_probe to authenticated;`,
    ],
    [
      '0001_unindexed_foreign_keys',
      `create table public.lint_probe (order_id uuid references public.orders (id)); alter table public.lint_probe enable row level security;`,
    ],
    [
      'songswipe_no_anon_policies',
      `create table public.lint_probe (id int); alter table public.lint_probe enable row level security; create policy p on public.lint_probe for select to anon using (id = 1);`,
    ],
  ])('%s catches a planted mistake', async (lint, plant) => {
    const client = await db.pool.connect();
    try {
      await client.query('begin');
      await client.query(plant);
      const planted = await runLints((sql) => client.query(sql));
      expect(planted.filter((f) => f.lint === lint && f.object.includes('lint_probe'))).not.toEqual([]);
    } finally {
      await client.query('rollback');
      client.release();
    }
  });
});
