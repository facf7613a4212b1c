import type { SelectType } from 'kysely';
import type { DB } from './schema.generated';

/**
 * Row types come from the migrated schema (src/db/schema.generated.ts, written by
 * `npm run db:types`), never by hand: a migration that renames, retypes or drops
 * a column breaks the type check of every query that reads it, and CI's
 * `npm run db:types:check` fails if the generated file was not brought along.
 * The SQL stays SQL; it aliases snake_case columns to camelCase
 * (`order_id as "orderId"`), and `Columns` names the same columns the same way.
 */

/** `order_id` → `orderId`. */
export type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;

/** A table of schema `public`, by its SQL name (`'song_variants'`). */
export type Table = keyof DB;

/**
 * The selected columns `C` of `table`, keyed the way the queries alias them
 * (camelCase), typed as node-postgres returns them (timestamptz → Date,
 * date → 'YYYY-MM-DD', bigint → string; src/db/pool.ts).
 * Example: `Columns<'song_variants', 'order_id' | 'variant_number'>` is
 * `{ orderId: string; variantNumber: number }`.
 */
export type Columns<T extends Table, C extends keyof DB[T] & string> = {
  [K in C as CamelCase<K>]: SelectType<DB[T][K]>;
};

/** The type of one column as read (`Column<'orders', 'status'>` is the `order_status` enum's union). */
export type Column<T extends Table, C extends keyof DB[T] & string> = SelectType<DB[T][C]>;

/** `T` with every column non-null: nullable columns a query writes or reads only once they are set. */
export type Filled<T> = { [K in keyof T]: NonNullable<T[K]> };
