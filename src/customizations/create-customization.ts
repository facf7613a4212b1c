import { z } from 'zod';
import { insertCustomization } from '../db/customizations';
import { type Db, type JwtClaims, withUserTransaction } from '../db/pool';
import { ValidationError } from '../errors';

const text = (max: number) => z.string().trim().min(1, 'is required').max(max, `must be at most ${max} characters`);

/** Body of `POST /api/customizations` (camelCase JSON). */
export const customizationBodySchema = z.strictObject({
  recipientName: text(100),
  occasion: text(100),
  occasionDate: z.iso.date('must be a date, YYYY-MM-DD'),
  genre: text(50),
  mood: text(50),
  story: text(2000),
  language: z.string().trim().min(2).max(35).default('en'),
});
export type CustomizationBody = z.infer<typeof customizationBodySchema>;

/**
 * Validates and stores a customization for the signed-in user, under RLS (the
 * insert policy checks `user_id = auth.uid()`).
 * @returns the new customization id.
 * @throws ValidationError (400) with per-field messages.
 */
export async function createCustomization(db: Db, claims: JwtClaims, body: unknown): Promise<{ id: string }> {
  const parsed = customizationBodySchema.safeParse(body);
  if (!parsed.success) {
    throw new ValidationError('invalid customization', z.flattenError(parsed.error).fieldErrors as Record<string, string[]>);
  }
  const id = await withUserTransaction(db, claims, (tx) => insertCustomization(tx, claims.sub, parsed.data));
  return { id };
}
