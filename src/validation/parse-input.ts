import { z } from 'zod';
import { type FieldErrors, ValidationError } from '../errors';

/**
 * Validates outside input (a request body, a dev-checkout choice) against `schema`.
 * @returns the parsed value.
 * @throws ValidationError (400 `invalid_body`): `message`, plus what was wrong
 *   with the value as a whole (e.g. "expected object, received array"), and
 *   `fields` with per-field messages when any field failed.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, message: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const { formErrors, fieldErrors } = z.flattenError(parsed.error);
  const fields = fieldErrors as FieldErrors;
  throw new ValidationError(formErrors.length ? `${message}: ${formErrors.join('; ')}` : message, Object.keys(fields).length ? fields : undefined);
}
