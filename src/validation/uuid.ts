import { z } from 'zod';

/**
 * The one check for every id we accept from outside (route params, request
 * bodies, webhook metadata, share tokens, JWT `sub`, admin CLI arguments):
 * zod's RFC 9562 UUID, hex digits in the 8-4-4-4-12 layout.
 *
 * Why one: a looser check at one layer (`/^[0-9a-f-]{36}$/` accepts 36 dashes)
 * let a value through that the database's `::uuid` cast then refused (22P02),
 * turning a promised 404, or a webhook's 200 plus an order held for review,
 * into a 400 that Stripe retried for three days (issue 16, item 8). Anything
 * that passes this is safe to bind as a `uuid` parameter.
 */
export const uuidSchema = z.uuid();

/** True when `value` is a string `uuidSchema` accepts. */
export function isUuid(value: unknown): value is string {
  return uuidSchema.safeParse(value).success;
}

/** `value` if it is a UUID, else null: for ids that are only kept when well-formed. */
export function uuidOrNull(value: unknown): string | null {
  return isUuid(value) ? value : null;
}
