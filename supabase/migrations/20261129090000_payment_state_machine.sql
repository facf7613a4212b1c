-- Payment intake that survives everything Stripe really does (issue 4):
-- * the order status is a state machine enforced here, not only in TypeScript;
-- * orders that fail the trust checks are kept as `needs_review`, even when the
--   customization or user they name does not exist;
-- * the webhook event ledger remembers which payment intent an event was about,
--   so a refund that arrives before its checkout completes is not forgotten.

alter table public.orders
  alter column user_id drop not null,
  alter column customization_id drop not null,
  alter column occasion_date drop not null,
  add column livemode boolean not null default false,
  add column checkout_url text,
  add column checkout_expires_at timestamptz,
  add constraint orders_fulfillable_has_owner check (
    status = 'needs_review' or (user_id is not null and customization_id is not null and occasion_date is not null)
  ),
  add constraint orders_review_has_reason check (status <> 'needs_review' or review_reason is not null);

create index orders_stripe_payment_intent_id_idx on public.orders (stripe_payment_intent_id)
  where stripe_payment_intent_id is not null;

-- object_id: the checkout session, charge, … the event was about.
-- outcome: what intake did with it ('fulfilled', 'refunded', 'needs_review', …),
-- so an operator can answer "what happened to event X" from one row.
alter table public.stripe_events
  add column object_id text,
  add column payment_intent text,
  add column outcome text;

create index stripe_events_payment_intent_type_idx on public.stripe_events (payment_intent, type)
  where payment_intent is not null;

-- Allowed order status transitions. A transition to the same status is a no-op
-- and always allowed (duplicate deliveries). Terminal: payment_failed,
-- refunded, needs_review. `expired` can still become paid: Stripe does not
-- promise to deliver `checkout.session.expired` after `completed`, or never.
create function public.order_status_transition_allowed(from_status public.order_status, to_status public.order_status)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select from_status = to_status or case from_status
    when 'pending_payment' then to_status in ('awaiting_payment', 'paid', 'payment_failed', 'expired', 'refunded', 'needs_review')
    when 'awaiting_payment' then to_status in ('paid', 'payment_failed', 'expired', 'refunded', 'needs_review')
    when 'expired' then to_status in ('awaiting_payment', 'paid', 'payment_failed', 'refunded')
    when 'paid' then to_status = 'refunded'
    else false
  end
$$;

create function public.enforce_order_status_transition()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if not public.order_status_transition_allowed(old.status, new.status) then
    raise exception 'order % cannot go from % to %', old.id, old.status, new.status
      using errcode = 'check_violation';
  end if;
  return new;
end
$$;

create trigger orders_status_transition
  before update of status on public.orders
  for each row execute function public.enforce_order_status_transition();

revoke execute on function public.order_status_transition_allowed(public.order_status, public.order_status) from public, anon, authenticated;
revoke execute on function public.enforce_order_status_transition() from public, anon, authenticated;
-- the trigger runs as the writer: the service role must be able to evaluate it
grant execute on function public.order_status_transition_allowed(public.order_status, public.order_status) to service_role;
grant execute on function public.enforce_order_status_transition() to service_role;
