-- A chargeback puts a paid order in `disputed` (issue 15). Its own migration:
-- Postgres refuses to use an enum value in the transaction that added it, and
-- the next migration's state machine, share function and index all use it.
alter type public.order_status add value if not exists 'disputed' after 'paid';
