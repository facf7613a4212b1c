-- Reconciliation with Stripe (issue 17): what each run found and fixed.
-- Stripe retries a webhook for 3 days only; a longer outage or a misconfigured
-- endpoint leaves a paid Checkout Session without an order. The scheduled
-- reconciliation workflow lists the sessions completed in the last 7 days
-- through the Stripe API and replays each paid one whose order is missing or in
-- the wrong state through the webhook intake; every replay is a row here.

create table public.checkout_reconciliations (
  id bigint generated always as identity primary key,
  -- one run of the reconciliation workflow (its DBOS workflow id, or `admin:<uuid>` when run by hand)
  run_id text not null,
  stripe_session_id text not null check (stripe_session_id like 'cs_%'),
  -- the order before the replay: null when the session had none
  order_id uuid references public.orders (id) on delete set null,
  status_before public.order_status,
  -- what the replay did: the intake's outcome (`fulfilled`, `needs_review`, …), or `duplicate` when the replay event was already applied
  outcome text not null,
  reconciled_at timestamptz not null default now()
);
create index checkout_reconciliations_order_id_idx on public.checkout_reconciliations (order_id);
create index checkout_reconciliations_reconciled_at_idx on public.checkout_reconciliations (reconciled_at desc);

alter table public.checkout_reconciliations enable row level security;
revoke all on public.checkout_reconciliations from anon, authenticated;
grant all on public.checkout_reconciliations to service_role;
grant select on public.checkout_reconciliations to authenticated;
-- Admins only, from app_metadata (server-controlled), never user_metadata.
create policy "admins read checkout reconciliations" on public.checkout_reconciliations
  for select to authenticated
  using (((select auth.jwt()) -> 'app_metadata' ->> 'role') = 'admin');
