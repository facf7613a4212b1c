import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectOpenDisputes } from '../../src/db/payment-disputes';
import { buildChargeRefundedEvent, buildDisputeEvent, buildRefundUpdatedEvent, newDevDispute } from '../../src/payments/dev-events';
import type { WebhookDeps } from '../../src/payments/handle-webhook';
import { createTestDatabase, createUser, type TestDatabase } from '../support/database';
import { createCustomizationRow, deliver, paidEvent, webhookDeps } from '../support/fixtures';

let db: TestDatabase;
let deps: WebhookDeps;

beforeAll(async () => {
  db = await createTestDatabase();
  deps = await webhookDeps(db.pool, db.url);
});

/**
 * A paid order with two complete variants and one still pending (its
 * workflow queued, no worker running), plus one dispute of its payment.
 */
async function paidOrderWithSongs() {
  const user = await createUser(db.pool);
  const customizationId = await createCustomizationRow(db.pool, user);
  const completed = paidEvent(user, customizationId);
  await deliver(deps, completed);
  const { rows } = await db.pool.query<{ id: string }>('select id from public.orders where stripe_session_id = $1', [completed.data.object.id]);
  const orderId = rows[0]!.id;
  const { rows: tokens } = await db.pool.query<{ share_token: string }>(
    `insert into public.song_variants (order_id, user_id, variant_number, generation_status, storage_path, content_type, duration_ms, completed_at)
     values ($1, $2, 1, 'complete', 'songs/x/variant-1.mp3', 'audio/mpeg', 1000, now()),
            ($1, $2, 2, 'complete', 'songs/x/variant-2.mp3', 'audio/mpeg', 1000, now()),
            ($1, $2, 3, 'pending', null, null, null, null)
     returning share_token`,
    [orderId, user],
  );
  const dispute = { ...newDevDispute(), reason: 'product_not_received' };
  const disputeEvent = (type: Parameters<typeof buildDisputeEvent>[1], status: Parameters<typeof buildDisputeEvent>[2]['status']) =>
    buildDisputeEvent(completed, type, { ...dispute, status });
  return { orderId, customizationId, user, completed, dispute, disputeEvent, shareToken: tokens[0]!.share_token };
}

async function state(orderId: string, shareToken: string) {
  const { rows } = await db.pool.query(
    `select o.status,
       (select count(*)::int from public.get_shared_song($2)) as shared,
       (select w.status from dbos.workflow_status w where w.workflow_uuid = 'order:' || o.id) as workflow,
       (select array_agg(v.generation_status::text order by v.variant_number) from public.song_variants v where v.order_id = o.id) as variants
     from public.orders o where o.id = $1`,
    [orderId, shareToken],
  );
  return rows[0] as { status: string; shared: number; workflow: string; variants: string[] };
}

describe('disputes', () => {
  it('charge.dispute.created: the order is disputed, sharing keeps working, and the operator gets the dispute id, reason and evidence due date', async () => {
    const o = await paidOrderWithSongs();
    expect(await deliver(deps, o.disputeEvent('charge.dispute.created', 'needs_response'))).toMatchObject({ outcome: 'disputed' });
    expect(await state(o.orderId, o.shareToken)).toEqual({
      status: 'disputed',
      shared: 1,
      workflow: 'ENQUEUED',
      variants: ['complete', 'complete', 'pending'],
    });
    const { rows } = await db.pool.query(
      `select order_id, error_message, event_data, resolved_at from public.failed_jobs where job_type = 'payment_dispute' and order_id = $1`,
      [o.orderId],
    );
    expect(rows).toHaveLength(1);
    const due = new Date(o.dispute.dueBy! * 1000).toISOString();
    expect(rows[0].event_data).toMatchObject({ disputeId: o.dispute.id, reason: 'product_not_received', evidenceDueBy: due, orderId: o.orderId });
    expect(rows[0].error_message).toContain(due);
    expect(rows[0].resolved_at).toBeNull();
  });

  it('charge.dispute.closed lost: refunded semantics (links dead, unfinished generation cancelled, alert resolved)', async () => {
    const o = await paidOrderWithSongs();
    await deliver(deps, o.disputeEvent('charge.dispute.created', 'needs_response'));
    expect(await deliver(deps, o.disputeEvent('charge.dispute.closed', 'lost'))).toMatchObject({ outcome: 'dispute_lost' });
    expect(await state(o.orderId, o.shareToken)).toEqual({
      status: 'refunded',
      shared: 0,
      workflow: 'CANCELLED',
      variants: ['complete', 'complete', 'failed'],
    });
    const { rows } = await db.pool.query(`select last_error from public.song_variants where order_id = $1 and variant_number = 3`, [o.orderId]);
    expect(rows[0].last_error).toBe('dispute lost before this variant was generated');
    const { rows: alerts } = await db.pool.query(`select resolved_at from public.failed_jobs where job_type = 'payment_dispute' and order_id = $1`, [
      o.orderId,
    ]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].resolved_at).not.toBeNull();
  });

  it('charge.dispute.closed won: back to paid, still shared and generating', async () => {
    const o = await paidOrderWithSongs();
    await deliver(deps, o.disputeEvent('charge.dispute.created', 'needs_response'));
    expect(await deliver(deps, o.disputeEvent('charge.dispute.closed', 'won'))).toMatchObject({ outcome: 'dispute_won' });
    expect(await state(o.orderId, o.shareToken)).toEqual({ status: 'paid', shared: 1, workflow: 'ENQUEUED', variants: ['complete', 'complete', 'pending'] });
  });

  it('funds withdrawn and reinstated are recorded on the dispute; a late created never reopens it', async () => {
    const o = await paidOrderWithSongs();
    await deliver(deps, o.disputeEvent('charge.dispute.funds_withdrawn', 'needs_response'));
    await deliver(deps, o.disputeEvent('charge.dispute.funds_reinstated', 'won'));
    await deliver(deps, o.disputeEvent('charge.dispute.created', 'needs_response'));
    const { rows } = await db.pool.query(
      'select status, reason, funds_withdrawn_at, funds_reinstated_at, closed_at from public.payment_disputes where id = $1',
      [o.dispute.id],
    );
    expect(rows[0]).toMatchObject({ status: 'won', reason: 'product_not_received' });
    expect(rows[0].funds_withdrawn_at).toBeInstanceOf(Date);
    expect(rows[0].funds_reinstated_at).toBeInstanceOf(Date);
    expect(rows[0].closed_at).toBeInstanceOf(Date);
    expect((await state(o.orderId, o.shareToken)).status).toBe('paid');
  });

  it('a disputed order still holds its customization: a second paid session is held for review, and the index refuses a second paid order', async () => {
    const o = await paidOrderWithSongs();
    await deliver(deps, o.disputeEvent('charge.dispute.created', 'needs_response'));
    expect(await deliver(deps, paidEvent(o.user, o.customizationId))).toMatchObject({ outcome: 'needs_review' });
    await expect(
      db.pool.query(
        `insert into public.orders (user_id, customization_id, stripe_session_id, status, amount, currency, occasion_date)
         values ($1, $2, 'cs_test_second', 'paid', 2900, 'usd', '2026-12-24')`,
        [o.user, o.customizationId],
      ),
    ).rejects.toThrow(/orders_one_paid_order_per_customization/);
  });

  it('charge.refund.updated failed: the order stays refunded and unshared, and the operator is alerted', async () => {
    const o = await paidOrderWithSongs();
    await deliver(deps, buildChargeRefundedEvent(o.completed));
    const failed = buildRefundUpdatedEvent(o.completed, 'failed', 'expired_or_canceled_card');
    expect(await deliver(deps, failed)).toMatchObject({ outcome: 'refund_failed' });
    expect(await deliver(deps, buildRefundUpdatedEvent(o.completed, 'succeeded'))).toMatchObject({ outcome: 'refund_succeeded' });
    expect(await state(o.orderId, o.shareToken)).toMatchObject({ status: 'refunded', shared: 0 });
    const { rows } = await db.pool.query(
      `select error_message, event_data, resolved_at from public.failed_jobs where job_type = 'refund_failed' and order_id = $1`,
      [o.orderId],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].event_data).toMatchObject({ refundId: failed.data.object.id, failureReason: 'expired_or_canceled_card' });
    expect(rows[0].error_message).toMatch(/not paid back; the order stays refunded/);
  });

  it('the SQL state machine: disputed only from a payment, and back only to paid or refunded', async () => {
    const o = await paidOrderWithSongs();
    await deliver(deps, o.disputeEvent('charge.dispute.created', 'needs_response'));
    for (const to of ['awaiting_payment', 'expired', 'payment_failed', 'needs_review']) {
      await expect(db.pool.query(`update public.orders set status = $2 where id = $1`, [o.orderId, to])).rejects.toThrow(
        new RegExp(`cannot go from disputed to ${to}`),
      );
    }
    await deliver(deps, buildChargeRefundedEvent(o.completed));
    await expect(db.pool.query(`update public.orders set status = 'disputed' where id = $1`, [o.orderId])).rejects.toThrow(
      /cannot go from refunded to disputed/,
    );
  });

  it('npm run admin -- disputes lists open disputes, soonest evidence deadline first', async () => {
    const later = await paidOrderWithSongs();
    const sooner = await paidOrderWithSongs();
    const closed = await paidOrderWithSongs();
    sooner.dispute.dueBy = later.dispute.dueBy! - 3600;
    await deliver(deps, later.disputeEvent('charge.dispute.created', 'needs_response'));
    await deliver(deps, buildDisputeEvent(sooner.completed, 'charge.dispute.created', { ...sooner.dispute, status: 'needs_response' }));
    await deliver(deps, closed.disputeEvent('charge.dispute.closed', 'won'));

    const open = (await selectOpenDisputes(db.pool)).filter((d) => [later, sooner, closed].some((o) => o.dispute.id === d.id));
    expect(open.map((d) => [d.id, d.orderId, d.evidenceDueBy?.getTime()])).toEqual([
      [sooner.dispute.id, sooner.orderId, sooner.dispute.dueBy! * 1000],
      [later.dispute.id, later.orderId, later.dispute.dueBy! * 1000],
    ]);

    const { stdout } = await promisify(execFile)('npx', ['tsx', 'scripts/admin.ts', 'disputes'], {
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        STRIPE_WEBHOOK_SECRET: 'whsec_x',
        SUPABASE_JWT_SECRET: 'j'.repeat(32),
        STORAGE_SIGNING_SECRET: 's'.repeat(32),
        LOG_LEVEL: 'silent',
      },
    });
    const lines = stdout.split('\n');
    const at = (id: string) => lines.findIndex((l) => l.includes(id));
    expect(at(sooner.dispute.id)).toBeGreaterThanOrEqual(0);
    expect(at(sooner.dispute.id)).toBeLessThan(at(later.dispute.id));
    expect(at(closed.dispute.id)).toBe(-1);
    expect(lines[at(sooner.dispute.id)]).toContain(new Date(sooner.dispute.dueBy! * 1000).toISOString());
    expect(lines[at(sooner.dispute.id)]).toContain(sooner.orderId);
  });
});
