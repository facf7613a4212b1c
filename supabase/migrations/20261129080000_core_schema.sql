-- SongSwipe core schema: customizations, orders, song variants, the dead-letter
-- table, the Stripe webhook event ledger and the provider call ledger.
--
-- Security model (DESIGN.md "Data model"):
-- * RLS is enabled on every table. There are no anon policies and no
--   `using (true)` policies.
-- * Owners SELECT their own rows: `(select auth.uid()) = user_id` (the sub-select
--   lets Postgres evaluate auth.uid() once per statement; Supabase lint 0003
--   auth_rls_initplan). Every policy column is indexed.
-- * Owners may UPDATE only song_variants.selected (column grant + policy).
-- * System writes (webhook, worker) use a privileged connection.
-- * Public share access goes only through public.get_shared_song(token).
-- * Admin rights come only from app_metadata.role, never user_metadata, which a
--   user can edit.

create type public.order_status as enum (
  'pending_payment',  -- checkout session created, no webhook yet
  'awaiting_payment', -- checkout completed with a delayed payment method
  'paid',             -- payment succeeded: generation is enqueued
  'payment_failed',
  'expired',
  'refunded',
  'needs_review'      -- metadata or amount did not check out; never generated
);

create type public.generation_status as enum ('pending', 'generating', 'complete', 'failed');

create table public.customizations (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  recipient_name text not null check (char_length(recipient_name) between 1 and 100),
  occasion text not null check (char_length(occasion) between 1 and 100),
  occasion_date date not null,
  genre text not null check (char_length(genre) between 1 and 50),
  mood text not null check (char_length(mood) between 1 and 50),
  story text not null check (char_length(story) between 1 and 2000),
  language text not null default 'en' check (char_length(language) between 2 and 35),
  created_at timestamptz not null default now()
);
create index customizations_user_id_idx on public.customizations (user_id);

create table public.orders (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  customization_id uuid not null references public.customizations (id) on delete restrict,
  stripe_session_id text not null unique,
  stripe_event_id text,
  stripe_payment_intent_id text,
  status public.order_status not null default 'pending_payment',
  amount integer not null check (amount >= 0), -- smallest currency unit (cents)
  currency text not null check (currency ~ '^[a-z]{3}$'),
  occasion_date date not null,
  review_reason text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- lets song_variants carry user_id with a foreign key that keeps it honest
  unique (id, user_id)
);
create index orders_user_id_created_at_idx on public.orders (user_id, created_at desc);
create index orders_customization_id_idx on public.orders (customization_id);

create table public.song_variants (
  id uuid primary key default gen_random_uuid(),
  order_id uuid not null,
  -- denormalised from orders so the RLS policy is a plain indexed comparison;
  -- the composite foreign key guarantees it equals the order's owner
  user_id uuid not null,
  variant_number smallint not null check (variant_number between 1 and 5),
  generation_status public.generation_status not null default 'pending',
  storage_path text,
  content_type text,
  duration_ms integer check (duration_ms > 0),
  provider_song_id text,
  share_token uuid not null unique default gen_random_uuid(),
  selected boolean not null default false,
  attempts integer not null default 0 check (attempts >= 0),
  last_error text,
  completed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (order_id, variant_number),
  foreign key (order_id, user_id) references public.orders (id, user_id) on delete cascade,
  constraint song_variants_complete_has_audio check (
    generation_status <> 'complete'
    or (storage_path is not null and duration_ms is not null and completed_at is not null)
  )
);
create index song_variants_user_id_idx on public.song_variants (user_id);
create index song_variants_order_id_user_id_idx on public.song_variants (order_id, user_id);
-- at most one selected variant per order
create unique index song_variants_one_selected_per_order
  on public.song_variants (order_id) where selected;

-- Dead-letter table: one row per job whose attempts are exhausted.
-- event_data carries ids only: no secrets, no share tokens, no story text.
create table public.failed_jobs (
  id uuid primary key default gen_random_uuid(),
  job_type text not null,
  order_id uuid references public.orders (id) on delete cascade,
  variant_number smallint,
  event_data jsonb not null default '{}'::jsonb,
  error_message text not null,
  error_stack text,
  retry_count integer not null default 0,
  failed_at timestamptz not null default now(),
  resolved_at timestamptz
);
create index failed_jobs_order_id_idx on public.failed_jobs (order_id);
create index failed_jobs_unresolved_idx on public.failed_jobs (failed_at desc) where resolved_at is null;

-- Stripe webhook event ledger. Stripe delivers events at least once and in any
-- order; the primary key on event.id is the first line of deduplication.
create table public.stripe_events (
  id text primary key check (id like 'evt_%'),
  type text not null,
  livemode boolean not null,
  received_at timestamptz not null default now(),
  processed_at timestamptz
);

-- Every call made to a music provider. Providers charge per call, even for
-- failed ones, so this ledger is the audit of what was paid for.
create table public.provider_calls (
  id bigint generated always as identity primary key,
  order_id uuid not null references public.orders (id) on delete cascade,
  variant_number smallint not null,
  provider text not null,
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  outcome text check (outcome in ('success', 'error')),
  error text
);
create index provider_calls_order_id_variant_number_idx on public.provider_calls (order_id, variant_number);

-- ---------------------------------------------------------------------------
-- Row-level security
-- ---------------------------------------------------------------------------

alter table public.customizations enable row level security;
alter table public.orders enable row level security;
alter table public.song_variants enable row level security;
alter table public.failed_jobs enable row level security;
alter table public.stripe_events enable row level security;
alter table public.provider_calls enable row level security;

-- Supabase grants every privilege on new public tables to anon and authenticated
-- by default and leaves RLS as the only guard. Take those grants back and hand
-- out exactly what the policies below are written for.
revoke all on public.customizations, public.orders, public.song_variants,
  public.failed_jobs, public.stripe_events, public.provider_calls
  from anon, authenticated;
grant all on public.customizations, public.orders, public.song_variants,
  public.failed_jobs, public.stripe_events, public.provider_calls
  to service_role;

grant select on public.customizations, public.orders, public.song_variants to authenticated;
grant insert (recipient_name, occasion, occasion_date, genre, mood, story, language, user_id)
  on public.customizations to authenticated;
grant update (selected) on public.song_variants to authenticated;
grant select on public.failed_jobs, public.stripe_events, public.provider_calls to authenticated;

create policy "owners read their customizations" on public.customizations
  for select to authenticated
  using ((select auth.uid()) = user_id);

create policy "owners create their customizations" on public.customizations
  for insert to authenticated
  with check ((select auth.uid()) = user_id);

create policy "owners read their orders" on public.orders
  for select to authenticated
  using ((select auth.uid()) = user_id);

create policy "owners read their song variants" on public.song_variants
  for select to authenticated
  using ((select auth.uid()) = user_id);

create policy "owners select one of their song variants" on public.song_variants
  for update to authenticated
  using ((select auth.uid()) = user_id)
  with check ((select auth.uid()) = user_id);

-- Admins only, from app_metadata (server-controlled), never user_metadata.
create policy "admins read failed jobs" on public.failed_jobs
  for select to authenticated
  using (((select auth.jwt()) -> 'app_metadata' ->> 'role') = 'admin');

create policy "admins read stripe events" on public.stripe_events
  for select to authenticated
  using (((select auth.jwt()) -> 'app_metadata' ->> 'role') = 'admin');

create policy "admins read provider calls" on public.provider_calls
  for select to authenticated
  using (((select auth.jwt()) -> 'app_metadata' ->> 'role') = 'admin');

-- ---------------------------------------------------------------------------
-- Public share access: the one door for anyone holding a share token.
-- security definer so anon needs no table grant; search_path pinned to '' so a
-- caller cannot shadow the objects it uses (Supabase lint 0011).
-- ---------------------------------------------------------------------------

create function public.get_shared_song(token uuid)
returns table (
  variant_number smallint,
  duration_ms integer,
  occasion text,
  recipient_name text,
  storage_path text,
  content_type text
)
language sql
stable
security definer
set search_path = ''
as $$
  select v.variant_number, v.duration_ms, c.occasion, c.recipient_name, v.storage_path, v.content_type
  from public.song_variants v
  join public.orders o on o.id = v.order_id
  join public.customizations c on c.id = o.customization_id
  where v.share_token = token
    and v.generation_status = 'complete'
    and o.status = 'paid'
$$;

revoke execute on function public.get_shared_song(uuid) from public, anon, authenticated;
grant execute on function public.get_shared_song(uuid) to anon, authenticated, service_role;
