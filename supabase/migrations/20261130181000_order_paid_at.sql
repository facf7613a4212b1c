-- When an order became paid. Provider work is served earliest occasion first
-- and, for equal occasion dates, first paid first served (issue 9): the order
-- workflows run concurrently and start their variants in no fixed order, so
-- the queue priority carries the order's rank among same-date orders by
-- payment time, which needs this fact. Set by trigger, once, by every writer.
alter table public.orders add column paid_at timestamptz;

update public.orders set paid_at = updated_at where status in ('paid', 'refunded') and paid_at is null;

create function public.set_order_paid_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.status = 'paid' and new.paid_at is null then
    new.paid_at := clock_timestamp();
  end if;
  return new;
end
$$;

create trigger orders_set_paid_at
  before insert or update of status on public.orders
  for each row execute function public.set_order_paid_at();

revoke execute on function public.set_order_paid_at() from public, anon, authenticated;
grant execute on function public.set_order_paid_at() to service_role;

-- The rank of an order among the orders for the same occasion date, by payment.
create index orders_occasion_date_paid_at_idx on public.orders (occasion_date, paid_at) where paid_at is not null;
