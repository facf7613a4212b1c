import type { Queryable } from './pool';
import type { Columns } from './rows';

/** Columns a customer provides; camelCase at the edge, snake_case in SQL. `occasionDate` is 'YYYY-MM-DD'. */
export type CustomizationInput = Columns<'customizations', 'recipient_name' | 'occasion' | 'occasion_date' | 'genre' | 'mood' | 'story' | 'language'>;

/**
 * A customization as read. `user_id` is nullable in the schema (an account
 * deletion keeps the row for its orders), typed non-null as the intake's
 * ownership check compares it.
 */
export type Customization = CustomizationInput & Columns<'customizations', 'id'> & { userId: string };

const SELECT = `select id, user_id as "userId", recipient_name as "recipientName", occasion,
  occasion_date as "occasionDate", genre, mood, story, language from public.customizations`;

/**
 * Inserts a customization owned by `userId`, on a privileged connection (only
 * the API writes customizations; `userId` comes from a verified token).
 * @returns the new id.
 * @throws the foreign-key error (23503) when the user does not exist.
 */
export async function insertCustomization(tx: Queryable, { userId, ...input }: CustomizationInput & { userId: string }): Promise<string> {
  const { rows } = await tx.query<{ id: string }>(
    `insert into public.customizations (user_id, recipient_name, occasion, occasion_date, genre, mood, story, language)
     values ($1, $2, $3, $4, $5, $6, $7, $8) returning id`,
    [userId, input.recipientName, input.occasion, input.occasionDate, input.genre, input.mood, input.story, input.language],
  );
  return rows[0]!.id;
}

/** Loads a customization by id, or undefined. */
export async function getCustomization(tx: Queryable, id: string): Promise<Customization | undefined> {
  const { rows } = await tx.query<Customization>(`${SELECT} where id = $1`, [id]);
  return rows[0];
}
