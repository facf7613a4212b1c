-- The provider call ledger also keeps what a successful call delivered, so a
-- worker that crashed after storing the audio but before checkpointing reuses
-- it instead of paying for the same variant again.
alter table public.provider_calls
  add column storage_path text,
  add column content_type text,
  add column duration_ms integer,
  add column provider_song_id text;

-- Owners may only select a variant that is actually there to hear.
drop policy "owners select one of their song variants" on public.song_variants;
create policy "owners select one of their song variants" on public.song_variants
  for update to authenticated
  using ((select auth.uid()) = user_id)
  with check ((select auth.uid()) = user_id and (not selected or generation_status = 'complete'));
