/**
 * `npm run demo`: the main job end to end on embedded defaults.
 *
 * Starts PostgreSQL (embedded unless DATABASE_URL is set), migrates, starts the
 * web app and the worker, then drives a real order over HTTP: demo user →
 * customization → signed checkout.session.completed → live progress → share
 * links → downloads and decodes each song. Exits 0 only if all three songs
 * decode as audio.
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { runDemoFlow } from '../src/demo/demo-flow';
import type { OrderView } from '../src/delivery/order-view';
import { createLogger } from '../src/logging/logger';
import { describeStartupError, prepareRuntime } from '../src/launcher/runtime';
import { freePortNear } from '../src/launcher/ports';
import { serviceCommands, spawnService, stopService, waitForHttp } from '../src/launcher/services';

const USAGE = `usage: npm run demo [-- --keep-running]

Runs the main job end to end: a paid Stripe checkout becomes three playable,
shareable song variants. Needs no Docker, account or network.

  --keep-running   leave the web app and worker up afterwards (Ctrl+C stops)
  --help           this text

Env: DATABASE_URL (unset: embedded PostgreSQL in .data/; set: also set
SONGSWIPE_LOCAL_MODE=1, since the demo uses local mode's dev affordances),
PORT (default 3000, or a free port if busy), SYNTH_LATENCY_MS (demo default 1500).`;

const args = process.argv.slice(2);
if (args.includes('--help')) {
  console.log(USAGE);
  process.exit(0);
}
const unknown = args.filter((a) => a !== '--keep-running');
if (unknown.length) {
  console.error(`unknown option ${unknown[0]}\n\n${USAGE}`);
  process.exit(2);
}
const keepRunning = args.includes('--keep-running');
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
const say = (msg: string) => console.log(`[${elapsed().padStart(6)}] ${msg}`);

process.env.SYNTH_LATENCY_MS ||= '1500';
const logDir = path.resolve(process.env.DATA_DIR || '.data', 'logs');
mkdirSync(logDir, { recursive: true });
const logFile = path.join(logDir, `demo-${new Date().toISOString().replace(/[:.]/g, '-')}.log`);
const logStream = createWriteStream(logFile);
const recent: string[] = [];
const record = (line: string) => {
  logStream.write(`${line}\n`);
  recent.push(line);
  if (recent.length > 40) recent.shift();
};
const log = createLogger({ destination: { write: (s: string) => record(s.trimEnd()) } }).child({ component: 'demo' });

say('starting PostgreSQL and applying migrations (Supabase CLI)…');
let runtime;
try {
  runtime = await prepareRuntime(log);
} catch (err) {
  console.error(describeStartupError(err));
  process.exit(1);
}
if (runtime.env.mode !== 'local') {
  // The demo mints its own sign-in tokens and pays with self-signed webhooks: never on a deployment.
  console.error(
    "npm run demo runs in local mode only: unset DATABASE_URL (embedded PostgreSQL), or set SONGSWIPE_LOCAL_MODE=1 on a database that is not a deployment's.",
  );
  await runtime.stop();
  process.exit(1);
}
const port = await freePortNear(runtime.env.PORT);
const baseUrl = `http://localhost:${port}`;
const childEnv = { ...runtime.childEnv, PORT: String(port), APP_URL: process.env.APP_URL || baseUrl };
say(`database ready (${process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded PostgreSQL 17'}); starting web on ${baseUrl} and the worker…`);

const commands = serviceCommands('dev', port);
const children: ChildProcess[] = [spawnService('web', commands.web, childEnv, record), spawnService('worker', commands.worker, childEnv, record)];
let stopping = false;
async function stopAll(code: number): Promise<never> {
  stopping = true;
  await Promise.all(children.map((c) => stopService(c)));
  await runtime!.stop();
  logStream.end();
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stopAll(0));
for (const child of children) {
  child.on('exit', (code) => {
    if (stopping) return;
    console.error(`a service exited unexpectedly (code ${code}); last log lines:\n${recent.join('\n')}`);
    void stopAll(1);
  });
}

const seen = new Map<number, string>();
function showProgress(order: OrderView): void {
  for (const v of order.variants) {
    if (seen.get(v.variantNumber) === v.status) continue;
    seen.set(v.variantNumber, v.status);
    const extra = v.durationMs ? ` (${(v.durationMs / 1000).toFixed(1)} s of audio)` : '';
    say(`  variant ${v.variantNumber}: ${v.status}${extra}   · order ${order.generationStatus}`);
  }
}

try {
  await waitForHttp(`${baseUrl}/api/orders`, 120_000, () => !stopping);
  say('web and worker up; creating a customer, a customization and a paid checkout…');
  const result = await runDemoFlow({
    baseUrl,
    databaseUrl: runtime.databaseUrl,
    // The demo signs in its customer with an HS256 token; local secrets always provide one.
    jwtSecret: runtime.env.SUPABASE_JWT_SECRET!,
    webhookSecret: runtime.env.STRIPE_WEBHOOK_SECRET[0]!,
    price: { amount: runtime.env.SONG_PRICE_AMOUNT, currency: runtime.env.SONG_PRICE_CURRENCY },
    onProgress: showProgress,
  });
  say(`order ${result.order.id}: ${result.order.generationStatus}`);
  console.log(`\nOwner page: sign in as the demo user (local dev sign-in), then see the order:\n  ${result.ownerPageUrl}\n\nShare links:`);
  for (const song of result.songs) {
    console.log(
      `  ${song.shareUrl}\n    variant ${song.shared.variantNumber}: ${song.bytes} bytes MP3, decoded ${(song.audio.durationMs / 1000).toFixed(1)} s at ${song.audio.sampleRate} Hz, level ${song.audio.rms.toFixed(3)} RMS`,
    );
  }
  console.log(`\nAll 3 songs decode as audio. Service logs: ${logFile}`);
  say('demo passed');
  if (keepRunning) {
    console.log(`\nStill running at ${baseUrl} — press Ctrl+C to stop.`);
  } else {
    await stopAll(0);
  }
} catch (err) {
  console.error(`\ndemo failed: ${err instanceof Error ? err.message : String(err)}\nlast log lines:\n${recent.join('\n')}\nfull log: ${logFile}`);
  await stopAll(1);
}
