-- Issue 14: which prompt a song was made from, and who changed it.
--
-- ElevenLabs Music rejects prompts that name a real artist or band (400
-- `bad_prompt`, usually with `data.prompt_suggestion`). A variant may then be
-- generated from the provider's suggestion or from an operator's replacement.
-- `song_variants.prompt_source` says which; the text itself lives only in
-- `prompt_revisions`, an admin-only audit table, never in logs.

create type public.prompt_source as enum ('original', 'provider_suggestion', 'operator');

create table public.prompt_revisions (
  id bigint generated always as identity primary key,
  order_id uuid not null references public.orders (id) on delete cascade,
  variant_number smallint not null check (variant_number between 1 and 5),
  -- 'original' is never a revision: it is rebuilt from the customization.
  source public.prompt_source not null check (source <> 'original'),
  -- ElevenLabs Music accepts prompts of at most 2000 characters.
  prompt text check (char_length(prompt) between 1 and 2000),
  -- Or a composition plan (ElevenLabs' `composition_plan_suggestion` after a
  -- 400 `bad_composition_plan`), as ElevenLabs sent it; exactly one of the two.
  composition_plan jsonb check (jsonb_typeof(composition_plan) = 'object'),
  check ((prompt is null) <> (composition_plan is null)),
  -- sha256 (hex) of the prompt this one replaces, and of this one: the audit
  -- compares prompts without copying customer text anywhere else.
  previous_prompt_sha256 text not null check (previous_prompt_sha256 ~ '^[0-9a-f]{64}$'),
  prompt_sha256 text not null check (prompt_sha256 ~ '^[0-9a-f]{64}$'),
  -- Who: 'admin:<user id>' (HTTP), 'cli:<os user>' (npm run admin), or
  -- 'workflow:<workflow id>' (the self-healing step).
  created_by text not null,
  created_at timestamptz not null default now(),
  -- The workflow step that wrote the row (self-healing): a re-run after a crash writes nothing.
  workflow_id text,
  step text,
  unique (workflow_id, step)
);
create index prompt_revisions_order_id_variant_number_idx on public.prompt_revisions (order_id, variant_number);

alter table public.song_variants
  add column prompt_source public.prompt_source not null default 'original',
  -- The revision the next attempt uses; null: the original prompt.
  add column prompt_revision_id bigint references public.prompt_revisions (id) on delete set null;
create index song_variants_prompt_revision_id_idx on public.song_variants (prompt_revision_id);

-- The ledger says which prompt each paid call was made with.
alter table public.provider_calls
  add column prompt_source public.prompt_source not null default 'original';

alter table public.prompt_revisions enable row level security;
revoke all on public.prompt_revisions from anon, authenticated;
grant all on public.prompt_revisions to service_role;
grant select on public.prompt_revisions to authenticated;

-- Admins only, from app_metadata (server-controlled), never user_metadata.
create policy "admins read prompt revisions" on public.prompt_revisions
  for select to authenticated
  using (((select auth.jwt()) -> 'app_metadata' ->> 'role') = 'admin');
