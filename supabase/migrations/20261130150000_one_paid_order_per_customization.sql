-- At most one order per customization may hold its payment (issue 16, item 2).
--
-- "Holds" means paid or later in the order state machine
-- (20261129090000_payment_state_machine.sql): `paid`, and `refunded`, the only
-- status reachable from `paid`. A refunded order still holds its customization,
-- as the intake trust check and the checkout route already treat it: a second
-- payment for it is held for review, never generated.
--
-- Payment intake also serialises this per customization (an advisory lock taken
-- before its trust check), so a losing session lands on `needs_review` with a
-- dead letter. This index is the guarantee behind that lock, for every writer:
-- two sessions paid for one customization and delivered at the same moment
-- could both be fulfilled while the check was a plain read.
--
-- If this fails on an existing database with "could not create unique index",
-- some customization was already paid for twice (the fault this closes):
-- refund one of the payments and set its order to `needs_review` by hand (the
-- status trigger must be disabled for that one update) before migrating.
create unique index orders_one_paid_order_per_customization on public.orders (customization_id)
  where status in ('paid', 'refunded');
