import pino, { type Logger } from 'pino';
import { scrubText, scrubValue } from './redact';

/**
 * Field paths censored by pino before anything is written. URL paths and free text
 * are scrubbed separately by ./redact (share tokens, JWTs, keys, emails).
 */
export const REDACT_PATHS = [
  'share_token',
  '*.share_token',
  'shareToken',
  '*.shareToken',
  'token',
  '*.token',
  'refresh_token',
  '*.refresh_token',
  'access_token',
  '*.access_token',
  'shareUrl',
  '*.shareUrl',
  'audioUrl',
  '*.audioUrl',
  'authorization',
  '*.authorization',
  '*.headers.authorization',
  'headers["stripe-signature"]',
  '*.headers["stripe-signature"]',
  'stripeSignature',
  'signature',
  '*.signature',
  'apiKey',
  '*.apiKey',
  'secret',
  '*.secret',
  'password',
  '*.password',
  'email',
  '*.email',
  '*.customer_details.email',
  'customer_email',
  '*.customer_email',
  'story',
  '*.story',
  // prompts carry the story (issue 14): the prompt sent, a provider's suggested rewrite, an operator's replacement
  'prompt',
  '*.prompt',
  'promptSuggestion',
  '*.promptSuggestion',
  'compositionPlanSuggestion',
  '*.compositionPlanSuggestion',
  'jwt',
  '*.jwt',
];

/**
 * Builds the process logger: structured JSON to stdout (or `destination`), with
 * path redaction and free-text scrubbing configured once here.
 */
export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      base: { service: process.env.SONGSWIPE_SERVICE ?? 'songswipe' },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      formatters: { log: (obj) => scrubValue(obj) as Record<string, unknown> },
      serializers: { err: (err: unknown) => scrubValue(err) },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? scrubText(a) : a)) as Parameters<typeof method>);
        },
      },
    },
    options.destination,
  );
}

let root: Logger | undefined;

/** The process-wide root logger; add context with `.child({ orderId, variantNumber })`. */
export function logger(): Logger {
  root ??= createLogger();
  return root;
}
