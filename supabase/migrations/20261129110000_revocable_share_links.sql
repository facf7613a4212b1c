-- Revocable share links: an owner can rotate a variant's share token (the old
-- link dies) or switch sharing off. Signed audio URLs already expire within the
-- hour, so revoking the token is enough to end access.
alter table public.song_variants add column sharing_enabled boolean not null default true;

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
    and o.status = 'paid'
$$;

revoke execute on function public.get_shared_song(uuid) from public, anon, authenticated;
grant execute on function public.get_shared_song(uuid) to anon, authenticated, service_role;
