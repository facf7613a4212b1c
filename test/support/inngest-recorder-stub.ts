import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the Inngest SDK made to the "server". */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
  /** The status we answered. */
  status: number;
}

/** An event as the SDK sends it to `POST /e/<eventKey>`. */
export interface RecordedEvent {
  id?: string;
  name: string;
  data: Record<string, unknown>;
  ts?: number;
}

/**
 * A recorder standing in for an Inngest server's HTTP API, for tests of what
 * the SDK sends (an event's id and data, a sync's function configs). It
 * records and acknowledges; it runs nothing (no executor):
 * - `POST /e/<key>`: events, answered `{ids, status: 200}` like Inngest's
 *   event API (or 500 while `down`);
 * - `POST /fn/register`: a sync's app and function configs, answered `{ok: true}`;
 * - `GET /v1/events/<id>/runs`: the runs of an accepted event (`runStatus`, default Running);
 * - anything else: 200 `{}` (the SDK's dev-server probes).
 */
export async function startInngestRecorder() {
  const requests: RecordedRequest[] = [];
  let down = false;
  let runStatus = 'Running';
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const path = new URL(req.url!, 'http://recorder').pathname;
      let body: unknown = raw;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {}
      const reply = (status: number, json: unknown) => {
        requests.push({ method: req.method!, path, headers: req.headers, body, status });
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(json));
      };
      if (req.method === 'POST' && path.startsWith('/e/')) {
        if (down) return reply(500, { error: 'recorder is down', status: 500 });
        const events = (Array.isArray(body) ? body : [body]) as RecordedEvent[];
        return reply(200, { ids: events.map(() => `01${randomBytes(12).toString('hex').toUpperCase()}`), status: 200 });
      }
      if (req.method === 'POST' && path === '/fn/register') return reply(200, { ok: true, modified: true });
      if (req.method === 'GET' && /^\/v1\/events\/[^/]+\/runs$/.test(path)) return reply(200, { data: [{ status: runStatus }] });
      return reply(200, {});
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  /** Events Inngest accepted (answered 200), in arrival order. */
  const acceptedEvents = () =>
    requests
      .filter((r) => r.method === 'POST' && r.path.startsWith('/e/') && r.status === 200)
      .flatMap((r) => (Array.isArray(r.body) ? r.body : [r.body]) as RecordedEvent[]);
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    acceptedEvents,
    /** Accepted events with this id. */
    eventsWithId: (id: string) => acceptedEvents().filter((e) => e.id === id),
    /** While down, event sends are refused with 500 (an outage, or a crash before the send). */
    setDown(value: boolean) {
      down = value;
    },
    setRunStatus(status: string) {
      runStatus = status;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
export type InngestRecorder = Awaited<ReturnType<typeof startInngestRecorder>>;
