import type { DBOSClient } from '@dbos-inc/dbos-sdk';
import type { Logger } from 'pino';
import type { Tx } from '../db/pool';
import type { StripeEventEnvelope } from './event-schemas';
import type { Price } from './price';

/** What an event handler gets: the open transaction and the event's context. */
export interface WebhookEventContext {
  tx: Tx;
  event: StripeEventEnvelope;
  dbos: DBOSClient;
  price: Price;
  log: Logger;
}

/** Handles one event type inside the intake transaction; throws to roll it back. */
export type WebhookEventHandler = (ctx: WebhookEventContext) => Promise<void>;
