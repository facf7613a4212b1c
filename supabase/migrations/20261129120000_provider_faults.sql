-- Generation that survives provider faults (issue 5).

-- A call whose outcome is unknown (timed out or reset after the request was
-- sent) was probably charged: it is recorded as such, never as "error".
alter table public.provider_calls drop constraint provider_calls_outcome_check;
alter table public.provider_calls add constraint provider_calls_outcome_check
  check (outcome in ('success', 'error', 'unknown'));

-- What the provider said about a dead-lettered job (status, code, message,
-- prompt_suggestion for bad prompts), for the admin who retries it.
alter table public.failed_jobs add column provider_detail jsonb;

-- One switch for all workers: a dead API key or exhausted quota pauses every
-- provider call until an admin resumes (POST /api/admin/queue/resume), instead
-- of burning through every queued order.
create table public.generation_control (
  id boolean primary key default true check (id),
  paused_at timestamptz,
  paused_reason text,
  resumed_at timestamptz
);
insert into public.generation_control (id) values (true);
alter table public.generation_control enable row level security;
revoke all on public.generation_control from anon, authenticated;
grant all on public.generation_control to service_role;
grant select on public.generation_control to authenticated;
create policy "admins read generation control" on public.generation_control
  for select to authenticated
  using (((select auth.jwt()) -> 'app_metadata' ->> 'role') = 'admin');
