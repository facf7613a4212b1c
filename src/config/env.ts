import { z } from 'zod';
import { databaseUrlProblems } from './database-url';

/**
 * Where this process runs, decided once at boot (README "Two modes"):
 * - `local`: the launcher started embedded PostgreSQL (DATABASE_URL unset), or
 *   `SONGSWIPE_LOCAL_MODE=1` was set on purpose (tests, CI, demos on a real
 *   database). The dev checkout, the synth default, generated local secrets
 *   and the `http://localhost:$PORT` fallback exist only here.
 * - `deployment`: everything else. Nothing dev-only exists or is invented, and
 *   a missing setting stops the boot.
 */
export type Mode = 'local' | 'deployment';

/**
 * The mode of an environment: `local` only for `SONGSWIPE_LOCAL_MODE=1`.
 * Unset, `0` or a typo all mean deployment, so a slip fails closed.
 */
export function modeOf(source: Record<string, string | undefined>): Mode {
  return source.SONGSWIPE_LOCAL_MODE === '1' ? 'local' : 'deployment';
}

const commaSeparatedSecrets = z
  .string()
  .transform((raw) =>
    raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().startsWith('whsec_', 'each secret must start with whsec_')).min(1));

const databaseUrl = z.url({ protocol: /^postgres(ql)?$/ });
const stripeSecretKey = z.string().regex(/^(sk|rk)_(test|live)_/, 'must be an sk_/rk_ test or live key');
const musicProvider = z.enum(['synth', 'elevenlabs']);

/**
 * The generation engine and, for Inngest, how to reach it. Split out so tools
 * that need only the engine (`npm run admin`) parse the same rules.
 */
const engineFields = {
  /** `dbos` (default): a worker process next to Postgres. `inngest`: Vercel, no worker (README "Deploy on Vercel with Inngest"). */
  GENERATION_ENGINE: z.enum(['dbos', 'inngest']).default('dbos'),
  /** Key for `inngest.send` (Inngest Cloud: required with GENERATION_ENGINE=inngest in deployment mode). */
  INNGEST_EVENT_KEY: z.string().min(1).optional(),
  /** Signs Inngest's requests to `/api/inngest` and ours to its API (`signkey-…`). Required with GENERATION_ENGINE=inngest in deployment mode. */
  INNGEST_SIGNING_KEY: z
    .string()
    .regex(/^signkey-/, 'must be an Inngest signing key (signkey-…)')
    .optional(),
  /** An Inngest server other than Inngest Cloud (a self-hosted server, or a test recorder). */
  INNGEST_BASE_URL: z.url().optional(),
  /** `1` or the dev server's URL: talk to an Inngest dev server, unsigned. Refused in deployment mode. */
  INNGEST_DEV: z.string().optional(),
};
/** ElevenLabs Music models the compose endpoint accepts (`model_id`). */
export const ELEVENLABS_MUSIC_MODELS = ['music_v2_5', 'music_v2', 'music_v1'] as const;
/** ElevenLabs Music MP3 output formats (`output_format`). */
export const ELEVENLABS_MP3_FORMATS = [
  'mp3_22050_32',
  'mp3_24000_48',
  'mp3_44100_32',
  'mp3_44100_64',
  'mp3_44100_96',
  'mp3_44100_128',
  'mp3_44100_192',
  'mp3_48000_128',
  'mp3_48000_192',
  'mp3_48000_240',
  'mp3_48000_320',
] as const;
/** Points a client at a local stub: a test affordance, never a deployment's. */
const testOnlyOverride = z.url().optional();
const refusedInDeployment = z.never({ error: 'is a test-only override, refused in deployment mode' }).optional();

/**
 * Every environment variable the app reads, in one schema (local mode's
 * defaults). `.env.example` documents each one. Empty strings count as unset,
 * so `FOO=` in a .env file means "default".
 */
const localSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** `1`: local mode on a real database (see Mode). */
  SONGSWIPE_LOCAL_MODE: z.enum(['0', '1'], { error: 'must be 1 (local mode) or unset (deployment mode)' }).optional(),
  /** Unset: an embedded PostgreSQL 17 under DATA_DIR is started by the launcher. */
  DATABASE_URL: databaseUrl.optional(),
  DATA_DIR: z.string().default('.data'),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** Public base URL used in share links and Stripe redirect URLs. */
  APP_URL: z.url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  /** Unset (local mode only): the local dev checkout stands in for Stripe. */
  STRIPE_SECRET_KEY: stripeSecretKey.optional(),
  /** Stripe API base URL override (tests point the SDK at a local stub). */
  STRIPE_API_BASE_URL: testOnlyOverride,
  /** Comma-separated, so an old and a new secret both verify during rotation. */
  STRIPE_WEBHOOK_SECRET: commaSeparatedSecrets,
  /**
   * Offer the promotion code field on Stripe Checkout (`allow_promotion_codes`).
   * Codes are created in the Stripe Dashboard; a 100% code is fulfilled too.
   */
  STRIPE_ALLOW_PROMOTION_CODES: z.stringbool().default(false),
  SONG_PRICE_AMOUNT: z.coerce.number().int().min(0).default(2900),
  SONG_PRICE_CURRENCY: z
    .string()
    .regex(/^[a-z]{3}$/, 'must be a lowercase ISO 4217 code')
    .default('usd'),

  SUPABASE_URL: z.url().optional(),
  /**
   * The project's client key for Supabase Auth sign-in (magic link): a publishable
   * key (`sb_publishable_…`) or the legacy `anon` JWT. With SUPABASE_URL it turns
   * on the Supabase sign-in at /sign-in. Safe in a browser, but we use it on the server only.
   */
  SUPABASE_PUBLISHABLE_KEY: z
    .string()
    .regex(/^(sb_publishable_[\w-]+|eyJ[\w-]*\.[\w-]+\.[\w-]+)$/, 'must be a publishable key (sb_publishable_…) or the legacy anon JWT, never a secret key')
    .optional(),
  /** HS256 secret of legacy/local access tokens; optional once SUPABASE_URL (JWKS) verifies them. */
  SUPABASE_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Legacy server key: the `service_role` JWT. Prefer SUPABASE_SECRET_KEY. */
  SUPABASE_SERVICE_ROLE_KEY: z
    .string()
    .regex(/^eyJ[\w-]*\.[\w-]+\.[\w-]+$/, 'must be the legacy service_role JWT (eyJ…); put an sb_secret_… key in SUPABASE_SECRET_KEY')
    .optional(),
  /** Server key of the new API key model (`sb_secret_…`); bypasses RLS, server only. */
  SUPABASE_SECRET_KEY: z
    .string()
    .regex(/^sb_secret_/, 'must be a secret key (sb_secret_…), never the publishable key')
    .optional(),
  /** Private Supabase Storage bucket holding the songs (STORAGE_DRIVER=supabase). */
  SUPABASE_STORAGE_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{1,62}$/, 'must be 2–63 lowercase letters, digits, - or _')
    .default('songs'),

  MUSIC_PROVIDER: musicProvider.default('synth'),
  ELEVENLABS_API_KEY: z.string().optional(),
  ELEVENLABS_BASE_URL: testOnlyOverride,
  /**
   * ElevenLabs Music model (`model_id`). Default `music_v2_5`, the newest
   * generally available one: the SDK's API types (@elevenlabs/elevenlabs-js
   * 2.73.0, `MusicModelId`, generated from ElevenLabs' API spec) list
   * music_v1 (marked deprecated), music_v2 and music_v2_5.
   */
  ELEVENLABS_MUSIC_MODEL: z.enum(ELEVENLABS_MUSIC_MODELS).default('music_v2_5'),
  /**
   * ElevenLabs `output_format` (codec_sampleRate_bitrate). MP3 only: songs are
   * stored and served as `audio/mpeg`. Values from the SDK's
   * `MusicComposeRequestOutputFormat`.
   */
  ELEVENLABS_OUTPUT_FORMAT: z.enum(ELEVENLABS_MP3_FORMATS).default('mp3_44100_128'),
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
  /**
   * How often the worker polls each generation queue, ms. Payment → first call
   * crosses two queues (order, then variant); at 50 ms p50 is ~145 ms on an idle
   * worker, for ~48 polling transactions/s per idle worker (docs/benchmarks.md).
   */
  QUEUE_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(50),
  /** Length of each generated song, ms. */
  SONG_LENGTH_MS: z.coerce.number().int().min(3000).max(600000).optional(),
  /** Simulated generation time of the synth provider, ms (demos and tests). */
  SYNTH_LATENCY_MS: z.coerce.number().int().min(0).max(600000).default(0),
  /** Stable DBOS executor id of this worker; recovery of its workflows is keyed on it. */
  WORKER_EXECUTOR_ID: z.string().min(1).default('songswipe-worker'),
  /**
   * When the worker reconciles with Stripe (a DBOS schedule, crontab syntax,
   * UTC): paid Checkout Sessions of the last 7 days without a right order are
   * replayed through the intake. `off` removes the schedule. Needs STRIPE_SECRET_KEY.
   */
  RECONCILE_CHECKOUTS_CRON: z
    .string()
    .regex(/^(off|@\w+|(\S+\s+){4,5}\S+)$/, 'must be a crontab expression (e.g. "0 * * * *") or off')
    .default('0 * * * *'),
  /**
   * Connection budget (README "Connection budget"): the most connections each
   * pool may open. Web: the app pool of each web process. Worker: the app pool
   * of each worker. DBOS system pool: DBOS's own pool in the worker (queues,
   * checkpoints); the DBOS client that enqueues (web, and the worker's
   * reconciliation) uses DBOS_CLIENT_POOL_SIZE.
   */
  // The default keeps an all-in-one host under 20 connections. Intake throughput
  // was measured to rise up to 16 (`BENCH_POOL_SWEEP=2,4,8,16,32 npm run bench:intake`,
  // docs/benchmarks.md "Pool size": commits share a WAL flush), so a web host with
  // the connections to spare should set 16.
  WEB_DB_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(4),
  WORKER_DB_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(4),
  DBOS_SYSTEM_POOL_SIZE: z.coerce.number().int().min(2).max(100).default(6),
  DBOS_CLIENT_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(2),
  /**
   * How long a web process keeps serving after SIGTERM while `/api/ready`
   * answers 503, ms, so the load balancer stops routing to it first. The
   * orchestrator's grace period must exceed it.
   */
  WEB_DRAIN_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
  /** Port of the worker's Prometheus listener (`GET /metrics`, `GET /ready`); unset: none. */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),

  ...engineFields,

  STORAGE_DRIVER: z.enum(['local', 'supabase']).default('local'),
  /** HMAC key for local signed URLs (STORAGE_DRIVER=local). */
  STORAGE_SIGNING_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Lifetime of a signed audio URL, seconds (max 1 h: a signed URL cannot be revoked). */
  SIGNED_URL_TTL_SECONDS: z.coerce.number().int().min(10).max(3600).default(3600),
});

/**
 * Deployment mode: what local mode defaults or invents must be given, and the
 * test-only overrides are refused. A forgotten STRIPE_SECRET_KEY once turned
 * the dev checkout on in production (issue 13); a forgotten MUSIC_PROVIDER
 * sold synthesizer tones as songs.
 */
const deploymentSchema = localSchema.extend({
  DATABASE_URL: databaseUrl,
  APP_URL: z.url(),
  STRIPE_SECRET_KEY: stripeSecretKey,
  STRIPE_API_BASE_URL: refusedInDeployment,
  MUSIC_PROVIDER: musicProvider,
  ELEVENLABS_BASE_URL: refusedInDeployment,
  INNGEST_DEV: z.never({ error: 'is the unsigned dev-server mode, refused in deployment mode' }).optional(),
});

export type Env = z.infer<typeof localSchema> & { mode: Mode };

/**
 * Rules across variables. Checked on the raw values, beside the schema rather
 * than in a refinement, because zod skips refinements once a field fails and
 * the boot message must name every problem at once.
 */
function crossFieldIssues(raw: Record<string, string>): { name: string; message: string }[] {
  const issues = (raw.DATABASE_URL ? databaseUrlProblems(raw.DATABASE_URL) : []).map((message) => ({ name: 'DATABASE_URL', message }));
  if (raw.MUSIC_PROVIDER === 'elevenlabs' && !raw.ELEVENLABS_API_KEY) {
    issues.push({ name: 'ELEVENLABS_API_KEY', message: 'is required when MUSIC_PROVIDER=elevenlabs' });
  }
  if (raw.GENERATION_ENGINE === 'inngest' && modeOf(raw) === 'deployment') {
    for (const name of ['INNGEST_SIGNING_KEY', 'INNGEST_EVENT_KEY']) {
      if (!raw[name]) issues.push({ name, message: 'is required when GENERATION_ENGINE=inngest in deployment mode' });
    }
  }
  if (!raw.SUPABASE_JWT_SECRET && !raw.SUPABASE_URL) {
    issues.push({ name: 'SUPABASE_JWT_SECRET', message: 'is required unless SUPABASE_URL is set (then access tokens are verified with the project JWKS)' });
  }
  if (raw.SUPABASE_PUBLISHABLE_KEY && !raw.SUPABASE_URL) {
    issues.push({ name: 'SUPABASE_URL', message: 'is required when SUPABASE_PUBLISHABLE_KEY is set (Supabase Auth sign-in)' });
  }
  if ((raw.STORAGE_DRIVER ?? 'local') === 'local' && !raw.STORAGE_SIGNING_SECRET) {
    issues.push({ name: 'STORAGE_SIGNING_SECRET', message: 'is required when STORAGE_DRIVER=local (the default)' });
  }
  if (raw.STORAGE_DRIVER === 'supabase') {
    if (!raw.SUPABASE_URL) issues.push({ name: 'SUPABASE_URL', message: 'is required when STORAGE_DRIVER=supabase' });
    if (!raw.SUPABASE_SECRET_KEY && !raw.SUPABASE_SERVICE_ROLE_KEY) {
      issues.push({ name: 'SUPABASE_SECRET_KEY', message: 'is required when STORAGE_DRIVER=supabase (or the legacy SUPABASE_SERVICE_ROLE_KEY)' });
    }
  }
  return issues;
}

/** Thrown when the environment does not validate; the message names each variable. */
export class EnvError extends Error {
  override name = 'EnvError';
  constructor(
    message: string,
    /** The mode the environment was checked for. */
    readonly mode: Mode,
    /** Variables that are required but unset, sorted. */
    readonly missing: string[] = [],
    /** Variables that are set but invalid (or refused in this mode), sorted. */
    readonly invalid: string[] = [],
  ) {
    super(message);
  }
}

/**
 * Parses an environment for its mode (see Mode). Empty strings are treated as unset.
 * @returns the validated env, with `mode`.
 * @throws EnvError naming every missing or invalid variable at once.
 */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== '')) as Record<string, string>;
  const mode = modeOf(cleaned);
  const result = (mode === 'local' ? localSchema : deploymentSchema).safeParse(cleaned);
  const crossField = crossFieldIssues(cleaned);
  const issues = [...(result.error?.issues ?? []).map((issue) => ({ name: issue.path.join('.') || '(env)', message: issue.message })), ...crossField];
  if (issues.length === 0) return { ...(result.data as z.infer<typeof localSchema>), mode };

  const missing = [...new Set(issues.filter((i) => !(i.name in cleaned)).map((i) => i.name))].sort();
  const invalid = issues.filter((i) => i.name in cleaned);
  const header =
    mode === 'local'
      ? 'Invalid environment (local mode):'
      : 'Invalid environment for deployment mode (SONGSWIPE_LOCAL_MODE is not 1, so nothing is defaulted or generated):';
  // a conditional requirement says why ("is required when STORAGE_DRIVER=supabase")
  const reasons = crossField.filter((i) => !(i.name in cleaned));
  const lines = [header, ...(missing.length ? [`  missing: ${missing.join(', ')}`] : []), ...[...invalid, ...reasons].map((i) => `  ${i.name}: ${i.message}`)];
  const invalidNames = [...new Set(invalid.map((i) => i.name))].sort();
  throw new EnvError(`${lines.join('\n')}\nSee .env.example and the README's "Two modes".`, mode, missing, invalidNames);
}

/**
 * DATABASE_URL alone, for the tools that only touch the database (`npm run
 * db:migrate`, `npm run admin`): they need no secret in either mode.
 * @returns the URL, or undefined when unset (the launcher's embedded server).
 * @throws EnvError when it is set but not a postgres:// URL.
 */
export function parseDatabaseUrl(source: Record<string, string | undefined>): string | undefined {
  if (!source.DATABASE_URL) return undefined;
  const result = databaseUrl.safeParse(source.DATABASE_URL);
  if (!result.success) throw new EnvError(`Invalid environment:\n  DATABASE_URL: ${result.error.issues[0]!.message}`, modeOf(source), [], ['DATABASE_URL']);
  return result.data;
}

let cached: Env | undefined;

/** The validated process environment, parsed once. @throws EnvError */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/**
/**
 * The server key for Supabase's APIs (Storage, Auth admin): `SUPABASE_SECRET_KEY`,
 * else the legacy `SUPABASE_SERVICE_ROLE_KEY`; undefined when neither is set.
 */
export function supabaseServerKey(e: Env = env()): string | undefined {
  return e.SUPABASE_SECRET_KEY ?? e.SUPABASE_SERVICE_ROLE_KEY;
}

/**
 * Whether browsers sign in with Supabase Auth (magic link, `@supabase/ssr`
 * cookie session): SUPABASE_URL and SUPABASE_PUBLISHABLE_KEY are both set.
 */
export function supabaseAuthEnabled(e: Env = env()): e is Env & { SUPABASE_URL: string; SUPABASE_PUBLISHABLE_KEY: string } {
  return !!e.SUPABASE_URL && !!e.SUPABASE_PUBLISHABLE_KEY;
}

/**
 * Base URL for links we hand out (share pages, signed URLs, Stripe redirects).
 * Falls back to `http://localhost:$PORT` in local mode only.
 * @throws EnvError in deployment mode without APP_URL (parseEnv already refuses that).
 */
export function appUrl(e: Env = env()): string {
  if (!e.APP_URL && e.mode !== 'local') throw new EnvError('APP_URL is required in deployment mode', e.mode, ['APP_URL']);
  return (e.APP_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, '');
}

/**
 * Legitimate but risky settings worth a loud line at boot: a Stripe test key
 * in a production deployment (staging is fine; a shop taking no money is not).
 * @returns one message per warning, empty when there is nothing to say.
 */
export function bootWarnings(e: Env): string[] {
  const warnings: string[] = [];
  if (e.mode === 'deployment' && e.NODE_ENV === 'production' && /^(sk|rk)_test_/.test(e.STRIPE_SECRET_KEY ?? '')) {
    warnings.push('STRIPE_SECRET_KEY is a TEST key while NODE_ENV=production: no payment here is real. Fine for staging; use a live key to sell songs.');
  }
  return warnings;
}

const engineSchema = z.object(engineFields);
/** The engine settings of an Env (see engineFields). */
export type EngineConfig = z.infer<typeof engineSchema>;

/**
 * Parses only the engine settings, with the same rules as `parseEnv`
 * (for tools that need no full env, e.g. `npm run admin`).
 * @throws EnvError naming the invalid variables.
 */
export function parseEngineConfig(source: Record<string, string | undefined>): EngineConfig {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const result = engineSchema.safeParse(cleaned);
  if (result.success) return result.data;
  const invalid = [...new Set(result.error.issues.map((i) => i.path.join('.')))].sort();
  throw new EnvError(`invalid environment: ${invalid.join(', ')}`, modeOf(cleaned), [], invalid);
}
