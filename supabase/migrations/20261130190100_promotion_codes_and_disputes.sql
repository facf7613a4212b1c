-- Promotion codes and disputes (issue 15).
--
-- Promotion codes: a discounted checkout session is fulfilled when its
-- arithmetic adds up (src/payments/session-trust.ts). The order keeps what the
-- customer was charged and why:
-- * amount           the song's price (the session's amount_subtotal), as before;
-- * amount_discount  what a coupon or promotion code took off, cents;
-- * amount_total     what Stripe charged (null until a checkout event says);
-- * promotion_code_id the `promo_…` the customer entered, when Stripe sends it.
alter table public.orders
  add column amount_discount integer not null default 0 check (amount_discount >= 0),
  add column amount_total integer check (amount_total >= 0),
  add column promotion_code_id text check (promotion_code_id ~ '^promo_[A-Za-z0-9_]{1,250}$');

-- The state machine gains `disputed` (a chargeback is open):
-- * paid -> disputed (charge.dispute.created);
-- * disputed -> paid (dispute won or closed without a chargeback);
-- * disputed -> refunded (dispute lost: the money went back, as with a refund);
-- * pending_payment, awaiting_payment and expired -> disputed: the dispute
--   arrived before the checkout events of its payment (Stripe does not order
--   events), so the payment lands on `disputed` directly.
-- `refunded` stays terminal: a dispute after a refund is recorded and alerted,
-- but a refunded song is never shared again.
create or replace function public.order_status_transition_allowed(from_status public.order_status, to_status public.order_status)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select from_status = to_status or case from_status
    when 'pending_payment' then to_status in ('awaiting_payment', 'paid', 'disputed', 'payment_failed', 'expired', 'refunded', 'needs_review')
    when 'awaiting_payment' then to_status in ('paid', 'disputed', 'payment_failed', 'expired', 'refunded', 'needs_review')
    when 'expired' then to_status in ('awaiting_payment', 'paid', 'disputed', 'payment_failed', 'refunded')
    when 'paid' then to_status in ('disputed', 'refunded')
    when 'disputed' then to_status in ('paid', 'refunded')
    else false
  end
$$;

-- A disputed order still holds its customization's payment: at most one order
-- per customization is paid or later (20261130150000, issue 16). Re-created
-- here so the index counts `disputed`, the status between `paid` and `refunded`.
drop index public.orders_one_paid_order_per_customization;
create unique index orders_one_paid_order_per_customization on public.orders (customization_id)
  where status in ('paid', 'disputed', 'refunded');

-- One row per Stripe dispute (`dp_…`), written by every `charge.dispute.*`
-- event. Keyed by the dispute, not the order: a dispute can arrive before the
-- checkout events that create its order, and is joined to it by payment intent.
-- status: Stripe's dispute status. won, lost and warning_closed are final and
--   never overwritten by a late event; otherwise the newest event wins
--   (status_event_created, Stripe's event.created, s).
create table public.payment_disputes (
  id text primary key check (id ~ '^(dp|du)_[A-Za-z0-9_]{1,250}$'),
  charge_id text not null,
  payment_intent text,
  status text not null,
  reason text not null,
  amount integer not null check (amount >= 0), -- smallest currency unit (cents)
  currency text not null check (currency ~ '^[a-z]{3}$'),
  evidence_due_by timestamptz,
  funds_withdrawn_at timestamptz,
  funds_reinstated_at timestamptz,
  closed_at timestamptz,
  status_event_created bigint not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index payment_disputes_payment_intent_idx on public.payment_disputes (payment_intent) where payment_intent is not null;
create index payment_disputes_open_idx on public.payment_disputes (evidence_due_by) where closed_at is null;

alter table public.payment_disputes enable row level security;
revoke all on public.payment_disputes from anon, authenticated;
grant all on public.payment_disputes to service_role;
grant select on public.payment_disputes to authenticated;
-- Admins only, from app_metadata (server-controlled), never user_metadata.
create policy "admins read payment disputes" on public.payment_disputes
  for select to authenticated
  using (((select auth.jwt()) -> 'app_metadata' ->> 'role') = 'admin');

-- Sharing keeps working while a dispute is open: the merchant may need to show
-- the delivered song as evidence. A lost dispute moves the order to
-- `refunded`, and its links stop working like a refunded order's.
create or replace function public.get_shared_song(token uuid)
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
    and v.sharing_enabled
    and v.generation_status = 'complete'
    and o.status in ('paid', 'disputed')
$$;
