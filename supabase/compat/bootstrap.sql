-- Supabase compat bootstrap for a plain PostgreSQL server.
--
-- Creates what a Supabase project already provides, so that the files in
-- supabase/migrations/ run unchanged on both: the API roles, schema `auth` with
-- `auth.users`, and `auth.uid()` / `auth.role()` / `auth.jwt()` reading
-- `request.jwt.claims` exactly as Supabase defines them.
--
-- NEVER run this on a Supabase project: it is applied by `npm run db:migrate`
-- only when the target database has no `auth` schema of its own.
-- Idempotent, and safe when several databases of one cluster bootstrap at once
-- (roles are cluster-wide, so a concurrent creator may win the race).

do $$
declare
  r text;
begin
  foreach r in array array['anon', 'authenticated', 'service_role', 'authenticator'] loop
    if not exists (select 1 from pg_roles where rolname = r) then
      begin
        execute format('create role %I nologin noinherit', r);
      exception when duplicate_object or unique_violation then
        null; -- another database of this cluster created it first
      end;
    end if;
  end loop;
end
$$;

alter role service_role bypassrls;
alter role authenticator login noinherit;
grant anon, authenticated, service_role to authenticator;

create schema if not exists auth;
grant usage on schema auth to anon, authenticated, service_role;

-- A subset of Supabase's auth.users: the columns this app and its policies read.
-- `insert into auth.users (id, email) values (...)` works, as it does on Supabase.
create table if not exists auth.users (
  id uuid primary key,
  email text,
  raw_app_meta_data jsonb not null default '{}'::jsonb,
  raw_user_meta_data jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
revoke all on auth.users from anon, authenticated;
grant all on auth.users to service_role;

-- Supabase's definitions (supabase/postgres, auth schema migrations).
create or replace function auth.uid() returns uuid
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid
$$;

create or replace function auth.role() returns text
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
  )::text
$$;

create or replace function auth.jwt() returns jsonb
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$$;

grant execute on function auth.uid(), auth.role(), auth.jwt() to anon, authenticated, service_role;

-- Supabase's public schema grants: the API roles may use it; RLS and explicit
-- table grants in the migrations decide what they may touch.
grant usage on schema public to anon, authenticated, service_role;
