-- GENERATION_ENGINE=inngest: Inngest cannot join our Postgres transaction, so
-- the intake transaction records the event it must send here, in the same
-- commit as the order (a transactional outbox). After commit the row is sent
-- with `inngest.send` under its own id (Inngest de-duplicates events by id for
-- 24 h); a row is marked sent only once Inngest accepted it, and unsent rows
-- are re-sent by a relay (an Inngest cron function, and once per webhook).
create table public.generation_outbox (
  id uuid primary key default gen_random_uuid(),
  -- The Inngest event id, e.g. `order:<orderId>`: one row, and one run, per start.
  event_id text not null unique check (length(event_id) between 1 and 200),
  event_name text not null check (length(event_name) between 1 and 200),
  -- Ids only (order, variant, dead letter, priority): never a story, an email or a share token.
  payload jsonb not null check (jsonb_typeof(payload) = 'object'),
  order_id uuid not null references public.orders (id) on delete cascade,
  created_at timestamptz not null default now(),
  -- Set once Inngest accepted the event; null rows are the relay's work.
  sent_at timestamptz,
  send_attempts integer not null default 0 check (send_attempts >= 0),
  -- When a send was last tried: the per-webhook relay leaves recently tried rows to the cron.
  last_attempt_at timestamptz,
  last_error text,
  -- Inngest's own ids for the accepted event (its run lookups are keyed on them).
  inngest_event_ids text[]
);
create index generation_outbox_unsent_idx on public.generation_outbox (created_at) where sent_at is null;
create index generation_outbox_order_id_idx on public.generation_outbox (order_id);

alter table public.generation_outbox enable row level security;
revoke all on public.generation_outbox from anon, authenticated;
grant all on public.generation_outbox to service_role;
grant select on public.generation_outbox to authenticated;
create policy "admins read the generation outbox" on public.generation_outbox
  for select to authenticated
  using (((select auth.jwt()) -> 'app_metadata' ->> 'role') = 'admin');
