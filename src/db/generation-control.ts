import type { Queryable } from './pool';
import type { Column, Columns } from './rows';

/** Whether provider calls are paused now, with the latest pause's reason and time (`paused_reason`, `paused_at`). */
export type GenerationPause = { paused: boolean; reason: Column<'generation_control', 'paused_reason'> } & Columns<'generation_control', 'paused_at'>;

/** Whether provider calls are paused (a dead key or exhausted quota), and why. */
export async function getGenerationPause(db: Queryable): Promise<GenerationPause> {
  const { rows } = await db.query<GenerationPause>(
    `select paused_at is not null and (resumed_at is null or resumed_at < paused_at) as paused,
            paused_reason as reason, paused_at as "pausedAt"
     from public.generation_control where id`,
  );
  return rows[0] ?? { paused: false, reason: null, pausedAt: null };
}

/**
 * Pauses every provider call of every worker until `resumeGeneration`. Idempotent.
 * Times are `clock_timestamp()`, not the transaction's start: a pause that waited
 * on a concurrent resume must still land after it.
 */
export async function pauseGeneration(db: Queryable, reason: string): Promise<void> {
  await db.query(
    `update public.generation_control set paused_at = clock_timestamp(), paused_reason = $1
     where id and (paused_at is null or (resumed_at is not null and resumed_at >= paused_at))`,
    [reason.slice(0, 1000)],
  );
}

/** Lets provider calls run again. @returns true when generation was paused. */
export async function resumeGeneration(db: Queryable): Promise<boolean> {
  const { rowCount } = await db.query(
    `update public.generation_control set resumed_at = clock_timestamp()
     where id and paused_at is not null and (resumed_at is null or resumed_at < paused_at)`,
  );
  return (rowCount ?? 0) > 0;
}
