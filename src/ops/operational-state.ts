import type { Queryable } from '../db/pool';
import { GENERATION_QUEUE, PROVIDER_QUEUE } from '../generation/workflow-names';

/**
 * What an operator watches, read from the shared database (so it is the same
 * from any web replica and needs no worker to be up): the source of the web's
 * `/api/metrics` gauges and of `npm run admin -- check`. Counts only: no order
 * ids, tokens or customer data.
 */
export interface OperationalState {
  /**
   * Workflows per queue (`song-generation`: orders; `music-provider`: variant
   * calls) and DBOS status (ENQUEUED waits, PENDING runs, DELAYED), terminal ones left out.
   */
  queue: Record<string, Record<string, number>>;
  /** Age of the oldest ENQUEUED workflow on either queue, seconds; 0 when none waits. */
  oldestQueuedAgeSeconds: number;
  /** Dead-lettered jobs not resolved yet (`failed_jobs.resolved_at is null`). */
  deadLettersOpen: number;
  /** Orders in `needs_review`. */
  needsReview: number;
  /** Provider calls are paused (dead key, exhausted quota) until an admin resumes them. */
  paused: boolean;
  /** Provider calls in the ledger, per outcome class (`in_flight` when unfinished). */
  providerCalls: Record<string, number>;
  /** Stripe webhook events stored, per event type and intake outcome (`unprocessed` while none). */
  webhookEvents: Array<{ type: string; outcome: string; count: number }>;
  /** Paid checkout sessions the reconciliation with Stripe replayed in the last 24 h: webhooks that never arrived. */
  checkoutsReconciledLastDay: number;
}

/** Reads the operational state in one round trip. Needs the DBOS system tables (schema `dbos`): the worker creates them at its first launch. */
export async function readOperationalState(db: Queryable): Promise<OperationalState> {
  const { rows } = await db.query<{
    queue: Array<{ queue: string; state: string; n: number }> | null;
    oldest: number | null;
    dead_letters: number;
    needs_review: number;
    paused: boolean;
    calls: Record<string, number> | null;
    events: Array<{ type: string; outcome: string; count: number }> | null;
    reconciled: number;
  }>(
    `select
       (select jsonb_agg(q) from (
          select queue_name as queue, status as state, count(*)::int as n from dbos.workflow_status
          where queue_name = any($1) and status in ('ENQUEUED', 'PENDING', 'DELAYED') group by 1, 2) q) as queue,
       (select extract(epoch from now())::float8 - min(created_at) / 1000.0 from dbos.workflow_status
          where queue_name = any($1) and status = 'ENQUEUED') as oldest,
       (select count(*)::int from public.failed_jobs where resolved_at is null) as dead_letters,
       (select count(*)::int from public.orders where status = 'needs_review') as needs_review,
       coalesce((select paused_at is not null and (resumed_at is null or resumed_at < paused_at)
          from public.generation_control where id), false) as paused,
       (select jsonb_object_agg(outcome, n) from (
          select coalesce(outcome, 'in_flight') as outcome, count(*)::int as n from public.provider_calls group by 1) c) as calls,
       (select jsonb_agg(e) from (
          select type, coalesce(outcome, 'unprocessed') as outcome, count(*)::int as count
          from public.stripe_events group by 1, 2 order by 1, 2) e) as events,
       (select count(*)::int from public.checkout_reconciliations where reconciled_at > now() - interval '24 hours') as reconciled`,
    [[GENERATION_QUEUE, PROVIDER_QUEUE]],
  );
  const r = rows[0]!;
  const queue: OperationalState['queue'] = {};
  for (const name of [GENERATION_QUEUE, PROVIDER_QUEUE]) queue[name] = { ENQUEUED: 0, PENDING: 0, DELAYED: 0 };
  for (const q of r.queue ?? []) queue[q.queue]![q.state] = q.n;
  return {
    queue,
    oldestQueuedAgeSeconds: Math.max(0, r.oldest ?? 0),
    deadLettersOpen: r.dead_letters,
    needsReview: r.needs_review,
    paused: r.paused,
    providerCalls: { in_flight: 0, success: 0, error: 0, unknown: 0, ...r.calls },
    webhookEvents: r.events ?? [],
    checkoutsReconciledLastDay: r.reconciled,
  };
}

/** Thresholds of `npm run admin -- check` and of docs/prometheus-alerts.yml (keep the two the same). */
export interface CheckThresholds {
  /** Open dead letters allowed before it is a problem. */
  maxDeadLetters: number;
  /** Oldest queued workflow age allowed, minutes. */
  maxQueuedMinutes: number;
}

export const DEFAULT_THRESHOLDS: CheckThresholds = { maxDeadLetters: 0, maxQueuedMinutes: 15 };

/** One line per problem (empty when healthy), for a cron job or an uptime monitor. */
export function findProblems(state: OperationalState, t: CheckThresholds = DEFAULT_THRESHOLDS): string[] {
  const problems: string[] = [];
  if (state.paused) problems.push('generation is paused: resume it with `npm run admin -- resume` once the provider account is fixed');
  if (state.deadLettersOpen > t.maxDeadLetters)
    problems.push(`${state.deadLettersOpen} dead letters open (threshold ${t.maxDeadLetters}): see \`npm run admin -- failed-jobs\``);
  const queuedMinutes = state.oldestQueuedAgeSeconds / 60;
  if (queuedMinutes > t.maxQueuedMinutes)
    problems.push(`the oldest queued generation waits ${queuedMinutes.toFixed(1)} min (threshold ${t.maxQueuedMinutes}): is a worker running?`);
  if (state.needsReview > 0) problems.push(`${state.needsReview} orders in needs_review`);
  return problems;
}
