-- Customizations are written through the API only (POST /api/customizations).
--
-- Supabase exposes public tables through PostgREST at /rest/v1. With the
-- publishable key and their own access token, a signed-in browser could INSERT
-- a customization directly and skip the API's rules (occasion date range,
-- language tag, trimming), and /api/checkout would then sell it. Mirroring
-- every zod rule in CHECK constraints would have to track JavaScript's trim and
-- every future rule; taking the privilege away keeps one source of rules. The
-- API validates, then inserts on the privileged connection with the user id
-- of the verified token (src/customizations/create-customization.ts).
-- Owners keep SELECT on their own rows.
revoke insert on public.customizations from authenticated;
drop policy "owners create their customizations" on public.customizations;
