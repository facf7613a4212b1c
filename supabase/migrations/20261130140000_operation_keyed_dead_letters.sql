-- Dead letters keyed on the operation that wrote them (issue 16, item 1).
--
-- A dead-letter step that re-runs after a crash must not write a second row,
-- but a new failure (a manual retry that fails again) must. "An open row
-- exists" cannot tell the two apart; the identity of the writing step can:
-- each generation dead letter names its workflow and step, unique together.
-- Rows without an owner (payment intake, older rows) stay distinct (NULLs are
-- distinct in a unique constraint).
alter table public.failed_jobs
  add column workflow_id text,
  add column step text,
  -- The manual retry (retry-variant workflow) that took this dead letter on:
  -- its reset step is keyed on it, so a re-run after a crash knows it already
  -- reset the variant, and a second retry of the same dead letter is refused.
  add column retry_workflow_id text,
  add constraint failed_jobs_workflow_step_key unique (workflow_id, step),
  add constraint failed_jobs_owner_check check ((workflow_id is null) = (step is null));
