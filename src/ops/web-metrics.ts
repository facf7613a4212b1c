import client from 'prom-client';
import type { Queryable } from '../db/pool';
import { readOperationalState } from './operational-state';

/**
 * The web app's Prometheus registry: database-wide gauges, read from the shared
 * database at each scrape (one query, ./operational-state.ts), so any replica
 * answers the same and no worker has to be up. Labels are DBOS statuses,
 * outcome classes and Stripe event types: never an order id or token.
 * @param db the web pool (privileged connection: reads dbos.* and every order).
 */
export function createWebMetrics(db: Queryable): client.Registry {
  const registry = new client.Registry();
  const queue = new client.Gauge({
    name: 'songswipe_queue_workflows',
    help: 'Workflows per queue (song-generation: orders, music-provider: variant calls) and DBOS status (ENQUEUED waits, PENDING runs, DELAYED)',
    labelNames: ['queue', 'state'],
    registers: [registry],
  });
  const oldest = new client.Gauge({
    name: 'songswipe_queue_oldest_queued_age_seconds',
    help: 'Age of the oldest ENQUEUED workflow on either queue, seconds (0: none waits)',
    registers: [registry],
  });
  const deadLetters = new client.Gauge({ name: 'songswipe_dead_letters_open', help: 'Dead-lettered jobs not resolved yet', registers: [registry] });
  const needsReview = new client.Gauge({ name: 'songswipe_orders_needs_review', help: 'Orders in needs_review', registers: [registry] });
  const paused = new client.Gauge({
    name: 'songswipe_generation_paused',
    help: '1 while provider calls are paused (dead key, quota), else 0',
    registers: [registry],
  });
  const calls = new client.Gauge({
    name: 'songswipe_provider_calls_recorded',
    help: 'Provider calls in the ledger, by outcome (in_flight: unfinished)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const webhooks = new client.Gauge({
    name: 'songswipe_webhook_events',
    help: 'Stripe webhook events stored, by type and intake outcome',
    labelNames: ['type', 'outcome'],
    registers: [registry],
  });
  const reconciled = new client.Gauge({
    name: 'songswipe_checkouts_reconciled_24h',
    help: 'Paid checkout sessions replayed by the reconciliation with Stripe in the last 24 h (webhooks that never arrived)',
    registers: [registry],
  });
  // One collector reads the state for all gauges; prom-client awaits each gauge's collect, so it is shared per scrape.
  let pending: Promise<void> | undefined;
  const refresh = () =>
    (pending ??= readOperationalState(db)
      .then((s) => {
        for (const [name, states] of Object.entries(s.queue)) for (const [state, n] of Object.entries(states)) queue.set({ queue: name, state }, n);
        oldest.set(s.oldestQueuedAgeSeconds);
        deadLetters.set(s.deadLettersOpen);
        needsReview.set(s.needsReview);
        paused.set(s.paused ? 1 : 0);
        for (const [outcome, n] of Object.entries(s.providerCalls)) calls.set({ outcome }, n);
        webhooks.reset();
        for (const e of s.webhookEvents) webhooks.set({ type: e.type, outcome: e.outcome }, e.count);
        reconciled.set(s.checkoutsReconciledLastDay);
      })
      .finally(() => setTimeout(() => (pending = undefined), 0)));
  for (const g of [queue, oldest, deadLetters, needsReview, paused, calls, webhooks, reconciled]) {
    (g as unknown as { collect?: () => Promise<void> }).collect = refresh;
  }
  return registry;
}
