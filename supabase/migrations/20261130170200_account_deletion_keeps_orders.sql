-- Deleting a user (auth.users, e.g. from the Supabase dashboard or the Auth
-- admin API) used to cascade into their paid orders, losing payment records.
-- Now payment records survive, anonymised:
-- * orders.user_id becomes null and account_deleted_at is set; amount,
--   currency, status and the Stripe ids stay, and so does the provider-call ledger;
-- * a customization an order references loses its owner and its personal text
--   ('[deleted]'); one no order references is deleted with the user;
-- * the user's songs (song_variants) are deleted, so every share link dies.
--   Their audio objects stay in storage under songs/<orderId>/.

-- user_id was already nullable (orders held for review); a fulfillable order
-- now needs an owner or the record that its owner deleted the account.
alter table public.orders
  add column account_deleted_at timestamptz,
  drop constraint orders_fulfillable_has_owner,
  add constraint orders_fulfillable_has_owner check (
    status = 'needs_review'
    or ((user_id is not null or account_deleted_at is not null) and customization_id is not null and occasion_date is not null)
  ),
  drop constraint orders_user_id_fkey,
  add constraint orders_user_id_fkey foreign key (user_id) references auth.users (id) on delete set null;

alter table public.customizations alter column user_id drop not null;

-- Runs before the foreign-key actions: the variants go first (their composite
-- key points at orders (id, user_id), which changes next), then the orders are
-- detached, and the referenced customizations too so the cascade spares them.
-- The orders' `on delete set null` is only a safety net.
-- security definer: Supabase Auth deletes users as supabase_auth_admin, which
-- has no rights on our tables; search_path pinned (Supabase lint 0011).
create function public.anonymise_deleted_user()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  delete from public.song_variants where user_id = old.id;
  update public.orders set user_id = null, account_deleted_at = now() where user_id = old.id;
  update public.customizations c
     set user_id = null,
         recipient_name = '[deleted]',
         occasion = '[deleted]',
         genre = '[deleted]',
         mood = '[deleted]',
         story = '[deleted]'
   where c.user_id = old.id
     and exists (select 1 from public.orders o where o.customization_id = c.id);
  return old;
end
$$;
-- A trigger function needs no EXECUTE grant to fire; nobody may call it directly.
revoke execute on function public.anonymise_deleted_user() from public, anon, authenticated;

create trigger anonymise_before_user_delete
  before delete on auth.users
  for each row execute function public.anonymise_deleted_user();
