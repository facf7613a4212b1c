import pg from 'pg';

export type Db = pg.Pool;
export type Tx = pg.PoolClient;

// DATE columns come back as 'YYYY-MM-DD' strings, not local-midnight Date objects
// that shift a day in negative UTC offsets.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

const pools = new Map<string, pg.Pool>();

/** Called with a connection error nobody was waiting for (the default ignores it). */
export type ConnectionErrorHandler = (err: Error) => void;

const ignore: ConnectionErrorHandler = () => {};

/**
 * A new `pg.Pool` that survives the server ending its connections. Without an
 * `error` listener, a backend terminated while idle (a failover,
 * `pg_terminate_backend`, a pooler restart, `DROP DATABASE … WITH (FORCE)`)
 * is an uncaught exception that kills the process (node-postgres docs: "the pool
 * will emit an error on behalf of any idle clients it contains if a backend
 * error or network partition happens"). The pool simply opens a fresh
 * connection for the next query. Every pool in this codebase comes from here.
 */
export function createPool(config: pg.PoolConfig, onError: ConnectionErrorHandler = ignore): pg.Pool {
  const pool = new pg.Pool(config);
  pool.on('error', onError);
  return pool;
}

/**
 * A connected `pg.Client` with an `error` listener attached before `connect()`,
 * for the same reason as `createPool`. The caller ends it.
 * @throws the connection error when the server can't be reached.
 */
export async function connectClient(config: pg.ClientConfig, onError: ConnectionErrorHandler = ignore): Promise<pg.Client> {
  const client = new pg.Client(config);
  client.on('error', onError);
  await client.connect();
  return client;
}

/**
 * The privileged pool for `url` (one per process per URL). System writes (webhook,
 * worker) use it directly; user-facing reads go through `withUserTransaction`.
 * The first caller names the pool's connections in `pg_stat_activity`
 * (`applicationName`), caps them (`max`, default 10; README "Connection
 * budget") and handles a lost connection (`onError`, e.g. a warning);
 * the next query reconnects either way.
 */
export function getPool(url: string, opts: { applicationName?: string; onError?: ConnectionErrorHandler; max?: number } = {}): pg.Pool {
  let pool = pools.get(url);
  if (!pool) {
    pool = createPool({ connectionString: url, max: opts.max ?? 10, idleTimeoutMillis: 30_000, application_name: opts.applicationName }, opts.onError);
    pools.set(url, pool);
  }
  return pool;
}

/** Ends every pool this process opened. */
export async function closePools(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((p) => p.end()));
}

/**
 * Runs `fn` in one transaction on a privileged connection: commit on success,
 * rollback on any throw (which is rethrown).
 */
export async function withTransaction<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const client = await db.connect();
  try {
    await client.query('begin');
    const result = await fn(client);
    await client.query('commit');
    return result;
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** Claims a verified Supabase JWT carries into Postgres, as PostgREST passes them. */
export interface JwtClaims {
  sub: string;
  role: 'authenticated';
  [claim: string]: unknown;
}

/**
 * Runs `fn` under row-level security, exactly as PostgREST does for a request:
 * `set local role authenticated` and `request.jwt.claims` for this transaction
 * only, so the setting never leaks to the next user of the pooled connection.
 */
export async function withUserTransaction<T>(db: Db, claims: JwtClaims, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return withTransaction(db, async (tx) => {
    await tx.query(`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`, [JSON.stringify(claims)]);
    return fn(tx);
  });
}

/** Runs `fn` as Supabase's `anon` role (no claims), the way public requests run. */
export async function withAnonTransaction<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return withTransaction(db, async (tx) => {
    await tx.query(`select set_config('role', 'anon', true)`);
    return fn(tx);
  });
}

/** Anything that runs a query: a pool, a pooled client, or a transaction. */
export type Queryable = pg.Pool | pg.PoolClient | pg.Client;
