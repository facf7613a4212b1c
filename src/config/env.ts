import { z } from 'zod';

const commaSeparatedSecrets = z
  .string()
  .transform((raw) => raw.split(',').map((s) => s.trim()).filter(Boolean))
  .pipe(z.array(z.string().startsWith('whsec_', 'each secret must start with whsec_')).min(1));

/**
 * Every environment variable the app reads, in one schema. `.env.example` documents
 * each one. Empty strings count as unset, so `FOO=` in a .env file means "default".
 */
export const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    /** Unset: an embedded PostgreSQL 17 under DATA_DIR is started by the launcher. */
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
    DATA_DIR: z.string().default('.data'),
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    /** Public base URL used in share links and Stripe redirect URLs. */
    APP_URL: z.url().optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

    STRIPE_SECRET_KEY: z.string().regex(/^(sk|rk)_(test|live)_/, 'must be an sk_/rk_ test or live key').optional(),
    /** Stripe API base URL override (tests point the SDK at a local stub). */
    STRIPE_API_BASE_URL: z.url().optional(),
    /** Comma-separated, so an old and a new secret both verify during rotation. */
    STRIPE_WEBHOOK_SECRET: commaSeparatedSecrets,
    /**
     * Offer the promotion code field on Stripe Checkout (`allow_promotion_codes`).
     * Codes are created in the Stripe Dashboard; a 100% code is fulfilled too.
     */
    STRIPE_ALLOW_PROMOTION_CODES: z.stringbool().default(false),
    SONG_PRICE_AMOUNT: z.coerce.number().int().min(0).default(2900),
    SONG_PRICE_CURRENCY: z.string().regex(/^[a-z]{3}$/, 'must be a lowercase ISO 4217 code').default('usd'),

    SUPABASE_URL: z.url().optional(),
    SUPABASE_JWT_SECRET: z.string().min(32, 'must be at least 32 characters'),
    SUPABASE_SERVICE_ROLE_KEY: z.string().optional(),

    MUSIC_PROVIDER: z.enum(['synth', 'elevenlabs']).default('synth'),
    ELEVENLABS_API_KEY: z.string().optional(),
    ELEVENLABS_BASE_URL: z.url().optional(),
    /** Provider calls in flight across all workers. ElevenLabs allows 2 (5 on Scale/Business). */
    GENERATION_CONCURRENCY: z.coerce.number().int().min(1).max(10).default(2),
    /** Attempts per variant (retryable failures) before it is dead-lettered. */
    GENERATION_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
    /** Full-jitter backoff between attempts: first ceiling and cap, ms. */
    GENERATION_RETRY_BASE_MS: z.coerce.number().int().min(10).max(600_000).default(2000),
    GENERATION_RETRY_MAX_MS: z.coerce.number().int().min(10).max(3_600_000).default(60_000),
    /** While generation is paused (dead key, no quota), how often workflows look again, ms. */
    GENERATION_PAUSE_POLL_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
    /** Longest one ElevenLabs call may take before it is aborted, ms (generation takes 30–120 s). */
    GENERATION_ATTEMPT_TIMEOUT_MS: z.coerce.number().int().min(1000).max(900_000).default(300_000),
    /** How often the worker looks for queued work, ms (lower keeps provider slots busier). */
    QUEUE_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
    /** Length of each generated song, ms. */
    SONG_LENGTH_MS: z.coerce.number().int().min(3000).max(600000).optional(),
    /** Simulated generation time of the synth provider, ms (demos and tests). */
    SYNTH_LATENCY_MS: z.coerce.number().int().min(0).max(600000).default(0),
    /** Stable DBOS executor id of this worker; recovery of its workflows is keyed on it. */
    WORKER_EXECUTOR_ID: z.string().min(1).default('songswipe-worker'),

    STORAGE_DRIVER: z.enum(['local']).default('local'),
    /** HMAC key for local signed URLs. */
    STORAGE_SIGNING_SECRET: z.string().min(32, 'must be at least 32 characters'),
    /** Lifetime of a signed audio URL, seconds (max 1 h: a signed URL cannot be revoked). */
    SIGNED_URL_TTL_SECONDS: z.coerce.number().int().min(10).max(3600).default(3600),
  })
  .superRefine((env, ctx) => {
    if (env.MUSIC_PROVIDER === 'elevenlabs' && !env.ELEVENLABS_API_KEY) {
      ctx.addIssue({ code: 'custom', path: ['ELEVENLABS_API_KEY'], message: 'is required when MUSIC_PROVIDER=elevenlabs' });
    }
  });

export type Env = z.infer<typeof envSchema>;

/** Thrown when the environment does not validate; the message names each variable. */
export class EnvError extends Error {
  override name = 'EnvError';
}

/**
 * Parses an environment. Empty strings are treated as unset.
 * @throws EnvError naming every missing or invalid variable.
 */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(env)'}: ${issue.message}`);
    throw new EnvError(`Invalid environment:\n${lines.join('\n')}\nSee .env.example for every variable.`);
  }
  return result.data;
}

let cached: Env | undefined;

/** The validated process environment, parsed once. @throws EnvError */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** Base URL for links we hand out (share pages, signed URLs). */
export function appUrl(e: Env = env()): string {
  return (e.APP_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, '');
}
