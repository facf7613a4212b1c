-- The private bucket for song audio on a Supabase project (STORAGE_DRIVER=supabase).
-- The worker also creates it at start when missing (src/storage/supabase-storage.ts),
-- with the same settings; this makes `supabase db push` enough on its own.
--
-- Plain PostgreSQL (local runs, tests) has no `storage` schema: this is a no-op there.
-- Private: no policies on storage.objects, so only the server key reaches the
-- objects, and listeners get short-lived signed URLs minted per request.
do $$
begin
  if to_regclass('storage.buckets') is null then
    raise notice 'no storage.buckets (plain PostgreSQL): skipping the songs bucket';
    return;
  end if;
  insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
  values ('songs', 'songs', false, 26214400, array['audio/mpeg', 'audio/wav'])
  on conflict (id) do nothing;
end
$$;
