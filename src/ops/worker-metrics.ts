import http from 'node:http';
import type { AddressInfo } from 'node:net';
import client from 'prom-client';
import { PermanentProviderError, ProviderAccountError, ProviderError, RateLimitedError } from '../errors';
import type { MusicProvider } from '../generation/providers/music-provider';

/**
 * The worker's own Prometheus metrics: what only the process making the calls
 * sees live (calls in flight now, how each call ended, how long it took). The
 * database-wide gauges (queue, dead letters, pause, webhooks) come from the web
 * app's `/api/metrics`, so N workers do not report the same rows N times.
 * Labels are the provider name and an outcome class: never an order id or token.
 */
export interface WorkerMetrics {
  registry: client.Registry;
  /** Wraps a provider so that each `generate` call is counted and timed. */
  instrument(provider: MusicProvider): MusicProvider;
}

/** Outcome class of one provider call, from how it ended. */
export function outcomeClass(err: unknown): string {
  if (err === undefined) return 'success';
  if (!(err instanceof ProviderError)) return 'internal';
  if (err instanceof RateLimitedError) return 'rate_limited';
  if (err instanceof ProviderAccountError) return 'account';
  if (err instanceof PermanentProviderError) return 'permanent';
  return err.outcomeUnknown ? 'outcome_unknown' : 'retryable';
}

/** Fresh metrics in their own registry (with Node's process metrics). */
export function createWorkerMetrics(): WorkerMetrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'songswipe_worker_' });
  const inFlight = new client.Gauge({
    name: 'songswipe_provider_calls_in_flight',
    help: 'Music provider calls under way in this worker',
    labelNames: ['provider'],
    registers: [registry],
  });
  const calls = new client.Counter({
    name: 'songswipe_provider_calls_total',
    help: 'Music provider calls made by this worker, by outcome class',
    labelNames: ['provider', 'outcome'],
    registers: [registry],
  });
  const duration = new client.Histogram({
    name: 'songswipe_provider_call_duration_seconds',
    help: 'Duration of music provider calls, seconds (ElevenLabs: 30-120 s)',
    labelNames: ['provider', 'outcome'],
    buckets: [1, 5, 15, 30, 60, 90, 120, 180, 300, 600],
    registers: [registry],
  });
  return {
    registry,
    instrument: (provider) => ({
      name: provider.name,
      async generate(prompt, options) {
        const labels = { provider: provider.name };
        inFlight.inc(labels);
        const end = duration.startTimer(labels);
        let error: unknown;
        try {
          return await provider.generate(prompt, options);
        } catch (err) {
          error = err ?? new Error('provider threw nothing');
          throw err;
        } finally {
          inFlight.dec(labels);
          const outcome = outcomeClass(error);
          end({ outcome });
          calls.inc({ ...labels, outcome });
        }
      },
    }),
  };
}

/**
 * Serves `GET /metrics` (Prometheus text) and `GET /ready` (200, or 503 once
 * `isDraining()`) on `port` (0: any free port).
 * @returns the bound port and a close function.
 */
export async function serveWorkerMetrics(metrics: WorkerMetrics, port: number, isDraining: () => boolean): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://worker').pathname;
    if (req.method === 'GET' && path === '/metrics') {
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
        (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${err.message}`),
      );
    } else if (req.method === 'GET' && path === '/ready') {
      const draining = isDraining();
      res.writeHead(draining ? 503 : 200, { 'content-type': 'application/json' }).end(JSON.stringify({ ready: !draining, draining }));
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics or /ready');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
