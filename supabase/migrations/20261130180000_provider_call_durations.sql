-- The ETA of an order and `npm run admin -- status` read the median duration of
-- the most recent successful provider calls on every poll: keep that a short
-- index scan however long the ledger grows.
create index provider_calls_recent_success_idx on public.provider_calls (finished_at desc)
  where outcome = 'success';
