import type { Logger } from 'pino';
import type Stripe from 'stripe';
import { insertCheckoutReconciliation, selectSessionOrderStates, type SessionOrderState } from '../db/checkout-reconciliations';
import { type Db, withTransaction } from '../db/pool';
import { claimProcessedStripeEvent } from '../db/stripe-events';
import { generateSongWorkflowId } from '../generation/workflow-names';
import { onCheckoutSessionCompleted } from './checkout-session-completed';
import { checkoutSessionSchema, expandableId, type CheckoutSession, stripeEventSchema } from './event-schemas';
import type { Price } from './price';
import type { GenerationScheduler } from '../generation/scheduler';

/** Thrown inside a replay's transaction to roll it back when its event id was already recorded. */
class AlreadyReplayed extends Error {}

/** How far back a reconciliation looks by default: Stripe retries a webhook for 3 days, so 7 covers a long outage. */
export const RECONCILE_LOOKBACK_DAYS = 7;

export interface ReconcileDeps {
  db: Db;
  /** Starts generation for a reconciled paid order (DBOS or Inngest, `GENERATION_ENGINE`). */
  scheduler: GenerationScheduler;
  stripe: Stripe;
  price: Price;
  /** The mode of the secret key (test/live); sessions are listed in that mode anyway. */
  livemode: boolean;
  log: Logger;
}

/** A paid session whose order is missing or in the wrong state, and why. */
export interface UnreconciledSession {
  session: CheckoutSession;
  state: SessionOrderState;
  reason: 'no_order' | 'not_paid' | 'no_workflow';
}

/** One replay a run made: the session, its order before, and what the intake did. */
export interface ReconcileFix {
  stripeSessionId: string;
  orderId: string | null;
  statusBefore: SessionOrderState['status'];
  reason: UnreconciledSession['reason'];
  outcome: string;
}

/** A session the customer paid for (or a 100% promotion code covered): it must have a fulfilled order. */
function isPaid(session: CheckoutSession): boolean {
  return session.status === 'complete' && (session.payment_status === 'paid' || session.payment_status === 'no_payment_required');
}

/** Why a paid session's order is wrong, or null when it is right (or in a state a replay must not touch). */
function problemOf(state: SessionOrderState): UnreconciledSession['reason'] | null {
  if (!state.orderId) return 'no_order';
  // The checkout events never arrived: the order still waits for them.
  if (state.status === 'pending_payment' || state.status === 'awaiting_payment') return 'not_paid';
  // Paid but never enqueued (the enqueue is in the intake transaction, so only a
  // workflow deleted by hand gets here); the replay's enqueue is idempotent.
  if ((state.status === 'paid' || state.status === 'disputed') && !state.workflowExists) return 'no_workflow';
  // refunded, needs_review, expired, …: a decision was made; a replay would change nothing
  return null;
}

/**
 * Lists the Checkout Sessions completed in the last `lookbackDays` days through
 * the Stripe API (`GET /v1/checkout/sessions?status=complete&created[gte]=…`,
 * auto-paginated; a session expires within 24 h of its creation, so its
 * creation time bounds its completion) and returns the paid ones whose order
 * is missing, still waiting for payment, or paid without its workflow.
 * Read-only: `npm run admin -- check` uses it.
 * @throws Stripe.errors.StripeError when the API cannot be reached.
 */
export async function findUnreconciledSessions(
  deps: Pick<ReconcileDeps, 'db' | 'stripe'>,
  opts: { lookbackDays?: number; now?: number } = {},
): Promise<UnreconciledSession[]> {
  const since = Math.floor((opts.now ?? Date.now()) / 1000) - (opts.lookbackDays ?? RECONCILE_LOOKBACK_DAYS) * 86_400;
  const paid: CheckoutSession[] = [];
  for await (const raw of deps.stripe.checkout.sessions.list({ status: 'complete', created: { gte: since }, limit: 100 })) {
    const parsed = checkoutSessionSchema.safeParse(raw);
    if (parsed.success && isPaid(parsed.data)) paid.push(parsed.data);
  }
  const states = new Map(
    (
      await selectSessionOrderStates(deps.db, {
        sessionIds: paid.map((s) => s.id),
        workflowIdPrefix: generateSongWorkflowId(''),
      })
    ).map((s) => [s.stripeSessionId, s]),
  );
  const found: UnreconciledSession[] = [];
  for (const session of paid) {
    const state = states.get(session.id)!;
    const reason = problemOf(state);
    if (reason) found.push({ session, state, reason });
  }
  return found;
}

/**
 * The id of the event a reconciliation replays for a session: one per
 * session, so a replay is claimed in `stripe_events` like any delivery, and two
 * runs (or two workers) never apply the same session twice. A real webhook
 * arriving later has its own event id and finds the order already paid (the
 * upsert by session id and the workflow id `order:<id>` dedupe it).
 */
export function replayEventId(stripeSessionId: string): string {
  return `evt_reconcile_${stripeSessionId}`;
}

/**
 * Reconciliation with Stripe: every paid session of the last `lookbackDays`
 * days whose order is missing or in the wrong state is replayed as a
 * `checkout.session.completed` event through the webhook intake's own handler
 * (`onCheckoutSessionCompleted`: trust checks, order state machine, workflow
 * enqueue), in one transaction that also claims the replay's event id in
 * `stripe_events` and records the replay in `checkout_reconciliations`. A
 * session failing the trust checks lands in `needs_review`, as from a webhook.
 *
 * Stripe docs: "Stripe attempts to deliver events to your destination for up to
 * three days"; a longer outage or a misconfigured endpoint loses them, and the
 * docs recommend listing missed objects through the API.
 * @param runId names this run in `checkout_reconciliations.run_id`.
 * @returns the replays made (empty when everything matched).
 * @throws Stripe.errors.StripeError when listing fails; a failed replay rolls
 *   back its own transaction and is rethrown after the others were tried.
 */
export async function reconcileCheckouts(deps: ReconcileDeps, runId: string, opts: { lookbackDays?: number; now?: number } = {}): Promise<ReconcileFix[]> {
  const log = deps.log.child({ component: 'reconcile-checkouts', runId });
  const unreconciled = await findUnreconciledSessions(deps, opts);
  const fixes: ReconcileFix[] = [];
  const failures: unknown[] = [];
  for (const { session, state, reason } of unreconciled) {
    const event = stripeEventSchema.parse({
      id: replayEventId(session.id),
      object: 'event',
      type: 'checkout.session.completed',
      livemode: deps.livemode,
      created: Math.floor((opts.now ?? Date.now()) / 1000),
      data: { object: session },
    });
    const eventLog = log.child({ stripeEventId: event.id, stripeSessionId: session.id, reason });
    const afterCommit: (() => Promise<void>)[] = [];
    try {
      const reconciliation = { runId, stripeSessionId: session.id, orderId: state.orderId, statusBefore: state.status };
      let outcome: string;
      try {
        // As at the webhook (handle-webhook.ts): the work first, then the claim that stamps it processed.
        outcome = await withTransaction(deps.db, async (tx) => {
          const result = await onCheckoutSessionCompleted({
            tx,
            event,
            scheduler: deps.scheduler,
            price: deps.price,
            log: eventLog,
            afterCommit: (fn) => afterCommit.push(fn),
          });
          const claimed = await claimProcessedStripeEvent(tx, {
            id: event.id,
            type: event.type,
            livemode: event.livemode,
            objectId: session.id,
            paymentIntent: expandableId(session.payment_intent),
            outcome: result,
          });
          if (!claimed) throw new AlreadyReplayed();
          await insertCheckoutReconciliation(tx, { ...reconciliation, outcome: result });
          return result;
        });
      } catch (err) {
        if (!(err instanceof AlreadyReplayed)) throw err;
        afterCommit.length = 0; // the replay's work rolled back: nothing to do after it
        outcome = 'duplicate';
        await insertCheckoutReconciliation(deps.db, { ...reconciliation, outcome });
      }
      for (const fn of afterCommit) await fn().catch((err: unknown) => eventLog.error({ err }, 'after-commit action failed'));
      eventLog[outcome === 'duplicate' ? 'warn' : 'info'](
        { outcome, orderId: state.orderId, statusBefore: state.status },
        outcome === 'duplicate' ? 'session was replayed before and is still not reconciled: look at it by hand' : 'paid checkout session replayed',
      );
      fixes.push({ stripeSessionId: session.id, orderId: state.orderId, statusBefore: state.status, reason, outcome });
    } catch (err) {
      eventLog.error({ err }, 'replaying the checkout session failed; the next run tries again');
      failures.push(err);
    }
  }
  log.info({ replayed: fixes.length, failed: failures.length }, 'checkout reconciliation done');
  if (failures.length) throw failures[0];
  return fixes;
}
