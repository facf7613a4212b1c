import { z } from 'zod';
import { insertCustomization } from '../db/customizations';
import type { Db, JwtClaims } from '../db/pool';
import { UnauthorizedError } from '../errors';
import { parseInput } from '../validation/parse-input';
import { CUSTOMIZATION_LIMITS as MAX } from './limits';

/** Free text: trimmed, non-empty, bounded, and without NUL (Postgres text cannot hold it). */
const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'is required')
    .max(max, `must be at most ${max} characters`)
    .refine((v) => !v.includes('\u0000'), 'must not contain NUL characters');

/** Body of `POST /api/customizations` (camelCase JSON). */
export const customizationBodySchema = z.strictObject({
  recipientName: text(MAX.recipientName),
  occasion: text(MAX.occasion),
  occasionDate: z.iso.date('must be a date, YYYY-MM-DD').refine((d) => d >= '2000-01-01' && d <= '2100-12-31', 'must be between 2000-01-01 and 2100-12-31'),
  genre: text(MAX.genre),
  mood: text(MAX.mood),
  story: text(MAX.story),
  language: z
    .string()
    .trim()
    .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/, 'must be a language tag such as en or pt-BR')
    .max(35)
    .default('en'),
});
export type CustomizationBody = z.infer<typeof customizationBodySchema>;

/**
 * Validates and stores a customization for the signed-in user. Writes are
 * API-only: `authenticated` has no INSERT privilege (PostgREST would otherwise
 * let a browser skip these rules), so the row is written on the privileged
 * connection with the user id of the verified token, never one from the body.
 * @returns the new customization id.
 * @throws ValidationError (400) with per-field messages; UnauthorizedError (401)
 *   when the token's user no longer exists.
 */
export async function createCustomization(db: Db, claims: JwtClaims, body: unknown): Promise<{ id: string }> {
  const customization = parseInput(customizationBodySchema, body, 'invalid customization');
  try {
    const id = await insertCustomization(db, { userId: claims.sub, ...customization });
    return { id };
  } catch (err) {
    // A valid token for an account that has since been deleted.
    if ((err as { code?: string }).code === '23503') throw new UnauthorizedError('account not found');
    throw err;
  }
}
