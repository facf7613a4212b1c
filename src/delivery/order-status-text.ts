import type { OrderView } from './order-view';

/**
 * One line for people saying where an order stands: the payment first (a
 * delayed payment waits, possibly for days), then the generation.
 */
export function orderStatusText(order: Pick<OrderView, 'status' | 'generationStatus' | 'variants'>): string {
  switch (order.status) {
    case 'pending_payment':
    case 'awaiting_payment':
      return 'Waiting for your payment';
    case 'payment_failed':
      return 'Your payment did not go through';
    case 'expired':
      return 'Checkout expired before payment';
    case 'refunded':
      return 'Refunded';
    case 'needs_review':
      return 'Payment received; we are checking it';
    default:
      break;
  }
  const done = order.variants.filter((v) => v.status === 'complete').length;
  // A refused description being retried is not a failure: say what is happening.
  if (order.variants.some((v) => v.revisingPrompt) && order.generationStatus !== 'complete') {
    return `We're adjusting your song's description: ${done} of 3 ready`;
  }
  switch (order.generationStatus) {
    case 'queued':
      return 'Paid: your songs are queued';
    case 'generating':
      return `Composing your songs: ${done} of 3 ready`;
    case 'complete':
      return 'All three songs are ready';
    case 'partial':
      return `${done} of 3 songs are ready; we are looking into the rest`;
    case 'failed':
      return 'Generation failed; our team has been notified';
  }
}

/** An occasion date (YYYY-MM-DD) for people, read as a calendar day: no time zone can move it. */
export function formatOccasionDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Intl.DateTimeFormat('en', { dateStyle: 'long', timeZone: 'UTC' }).format(Date.UTC(y!, m! - 1, d!));
}
