import { z } from 'zod';
import { parseInput } from '@/validation/parse-input';

/**
 * Where to go after signing in: a path on this site only, never `//evil.example`
 * or a URL (an open redirect would hand a fresh session's landing page to
 * anyone who crafts the link). Anything else falls back to `/orders`.
 */
export const nextPathSchema = z
  .string()
  .regex(/^\/(?![/\\])[^\s]*$/, 'must be a path on this site')
  .max(2000)
  .catch('/orders');

/** The `/sign-in` form's fields, for both the dev sign-in and the Supabase magic link. */
export const signInFormSchema = z.object({
  email: z.email('must be an email address').max(254),
  next: nextPathSchema.default('/orders'),
});

/**
 * @param form the posted form fields `{email, next?}`.
 * @returns the email as typed and the path to go to next.
 * @throws ValidationError (400) with `fields.email` for a bad email.
 */
export function parseSignInForm(form: Record<string, unknown>): z.infer<typeof signInFormSchema> {
  return parseInput(signInFormSchema, form, 'invalid sign-in');
}
