/**
 * The RLS attack suite: every actor × table × operation, run as real Postgres
 * roles the way PostgREST runs a request (`set local role`, and
 * `request.jwt.claims` for signed-in users), each attempt in its own
 * transaction that is rolled back. The expected matrix is written out in full,
 * so loosening any grant or policy makes a cell fail.
 *
 * A cell is what the actor got:
 *   denied  Postgres refused (42501: no privilege)
 *   none    allowed, but RLS left no rows
 *   own     exactly the actor's own rows
 *   all     every row in the table (all owners)
 *   ok      an INSERT went through
 *   other   anything else (rows of someone else): always a failure
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createCustomization } from '../../../src/customizations/create-customization';
import { type JwtClaims, withTransaction } from '../../../src/db/pool';
import { createTestDatabase, createUser, type TestDatabase } from '../../support/database';
import { createCustomizationRow } from '../../support/fixtures';

type Cell = 'denied' | 'none' | 'own' | 'all' | 'ok';
type Op = 'SELECT' | 'INSERT' | 'UPDATE' | 'UPDATE selected' | 'DELETE';
type Actor = 'anon' | 'userA' | 'userB' | 'fakeAdmin' | 'admin' | 'service_role';

let db: TestDatabase;
const users: Record<'userA' | 'userB' | 'fakeAdmin' | 'admin', string> = { userA: '', userB: '', fakeAdmin: '', admin: '' };
/** Row id → owner (user id, or 'system' for rows nobody owns). */
const owners = new Map<string, string>();
/** Rows that UPDATE and DELETE attempts target, per table (deletable without FK errors). */
const victims: Record<string, string[]> = {};
let victimUser = '';

interface TableSpec {
  table: string;
  key: string;
  /** SQL returning the owner column alongside the key, or null when rows have no owner. */
  ownerOf?: string;
  insert: (sub: string) => [string, unknown[]];
  /** An UPDATE that changes nothing but needs the privilege, on the victim rows. */
  update: string;
  updateSelected?: string;
}

const TABLES: TableSpec[] = [
  {
    table: 'public.customizations',
    key: 'id',
    insert: (sub) => [
      `insert into public.customizations (user_id, recipient_name, occasion, occasion_date, genre, mood, story) values ($1, 'X', 'y', '2027-01-01', 'g', 'm', 's')`,
      [sub],
    ],
    update: 'update public.customizations set story = story where id = any($1) returning id',
  },
  {
    table: 'public.orders',
    key: 'id',
    // a customization with no order yet: a second paid order for one customization is refused by a unique index, not by RLS
    insert: (sub) => [
      `insert into public.orders (user_id, customization_id, stripe_session_id, status, amount, currency, occasion_date) select $1, c.id, 'cs_attack_' || md5(random()::text), 'paid', 0, 'usd', '2027-01-01' from public.customizations c where not exists (select 1 from public.orders o where o.customization_id = c.id) limit 1`,
      [sub],
    ],
    update: `update public.orders set status = status where id = any($1) returning id`,
  },
  {
    table: 'public.song_variants',
    key: 'id',
    insert: (sub) => [
      `insert into public.song_variants (order_id, user_id, variant_number) select id, user_id, 5 from public.orders where user_id = $1 limit 1`,
      [sub],
    ],
    update: 'update public.song_variants set share_token = share_token where id = any($1) returning id',
    updateSelected: 'update public.song_variants set selected = false where id = any($1) returning id',
  },
  {
    table: 'public.failed_jobs',
    key: 'id',
    insert: () => [`insert into public.failed_jobs (job_type, error_message) values ('x', 'y')`, []],
    update: 'update public.failed_jobs set error_message = error_message where id = any($1) returning id',
  },
  {
    table: 'public.stripe_events',
    key: 'id',
    insert: () => [`insert into public.stripe_events (id, type, livemode) values ('evt_attack_' || md5(random()::text), 'x', false)`, []],
    update: 'update public.stripe_events set type = type where id = any($1) returning id',
  },
  {
    table: 'public.payment_disputes',
    key: 'id',
    insert: () => [
      `insert into public.payment_disputes (id, charge_id, status, reason, amount, currency, status_event_created) values ('dp_attack_' || md5(random()::text), 'ch_x', 'needs_response', 'fraudulent', 1, 'usd', 1)`,
      [],
    ],
    update: 'update public.payment_disputes set reason = reason where id = any($1) returning id',
  },
  {
    table: 'public.provider_calls',
    key: 'id::text',
    insert: () => [`insert into public.provider_calls (order_id, variant_number, provider) select id, 1, 'x' from public.orders limit 1`, []],
    update: 'update public.provider_calls set provider = provider where id::text = any($1) returning id::text as id',
  },
  {
    table: 'public.checkout_reconciliations',
    key: 'id::text',
    insert: () => [`insert into public.checkout_reconciliations (run_id, stripe_session_id, outcome) values ('attack', 'cs_attack', 'fulfilled')`, []],
    update: 'update public.checkout_reconciliations set outcome = outcome where id::text = any($1) returning id::text as id',
  },
  {
    table: 'public.prompt_revisions',
    key: 'id::text',
    insert: () => [
      `insert into public.prompt_revisions (order_id, variant_number, source, prompt, previous_prompt_sha256, prompt_sha256, created_by) select id, 1, 'operator', 'p', repeat('a', 64), repeat('b', 64), 'attacker' from public.orders limit 1`,
      [],
    ],
    update: 'update public.prompt_revisions set created_by = created_by where id::text = any($1) returning id::text as id',
  },
  {
    table: 'public.generation_control',
    key: 'id::text',
    insert: () => [`insert into public.generation_control (id) values (true) on conflict do nothing`, []],
    update: `update public.generation_control set paused_at = paused_at where id::text = any($1) returning id::text as id`,
  },
  {
    table: 'public.generation_outbox',
    key: 'id::text',
    insert: () => [
      `insert into public.generation_outbox (event_id, event_name, payload, order_id) select 'attack:' || md5(random()::text), 'song/order.paid', '{}', id from public.orders limit 1`,
      [],
    ],
    update: 'update public.generation_outbox set sent_at = now() where id::text = any($1) returning id::text as id',
  },
  {
    table: 'auth.users',
    key: 'id',
    insert: () => [`insert into auth.users (id, email) values (gen_random_uuid(), 'attacker@example.test')`, []],
    update: 'update auth.users set email = email where id = any($1) returning id',
  },
  {
    table: 'dbos.workflow_status',
    key: 'workflow_uuid',
    insert: () => [`insert into dbos.workflow_status (workflow_uuid, status, name) values ('attack', 'ENQUEUED', 'generate-song')`, []],
    update: `update dbos.workflow_status set status = status where workflow_uuid = any($1) returning workflow_uuid as id`,
  },
];

const USER_CELLS: Record<string, Partial<Record<Op, Cell>>> = {
  // Writes are API-only: PostgREST exposes /rest/v1, and a direct INSERT would skip the API's rules.
  'public.customizations': { SELECT: 'own', INSERT: 'denied', UPDATE: 'denied', DELETE: 'denied' },
  'public.orders': { SELECT: 'own', INSERT: 'denied', UPDATE: 'denied', DELETE: 'denied' },
  'public.song_variants': { SELECT: 'own', INSERT: 'denied', UPDATE: 'denied', 'UPDATE selected': 'own', DELETE: 'denied' },
  'public.failed_jobs': { SELECT: 'none', INSERT: 'denied', UPDATE: 'denied', DELETE: 'denied' },
  'public.stripe_events': { SELECT: 'none', INSERT: 'denied', UPDATE: 'denied', DELETE: 'denied' },
  'public.payment_disputes': { SELECT: 'none', INSERT: 'denied', UPDATE: 'denied', DELETE: 'denied' },
  'public.provider_calls': { SELECT: 'none', INSERT: 'denied', UPDATE: 'denied', DELETE: 'denied' },
  'public.checkout_reconciliations': { SELECT: 'none', INSERT: 'denied', UPDATE: 'denied', DELETE: 'denied' },
  // prompt texts (customer stories, operator rewrites) and who changed them: admins and the service role only
  'public.prompt_revisions': { SELECT: 'none', INSERT: 'denied', UPDATE: 'denied', DELETE: 'denied' },
  'public.generation_control': { SELECT: 'none', INSERT: 'denied', UPDATE: 'denied', DELETE: 'denied' },
  'public.generation_outbox': { SELECT: 'none', INSERT: 'denied', UPDATE: 'denied', DELETE: 'denied' },
  'auth.users': { SELECT: 'denied', INSERT: 'denied', UPDATE: 'denied', DELETE: 'denied' },
  'dbos.workflow_status': { SELECT: 'denied', INSERT: 'denied', UPDATE: 'denied', DELETE: 'denied' },
};
const allDenied = Object.fromEntries(
  Object.entries(USER_CELLS).map(([t, ops]) => [t, Object.fromEntries(Object.keys(ops).map((op) => [op, 'denied']))]),
) as typeof USER_CELLS;
const serviceCells = Object.fromEntries(
  Object.entries(USER_CELLS).map(([t, ops]) => [
    t,
    Object.fromEntries(Object.keys(ops).map((op) => [op, t.startsWith('dbos.') ? 'denied' : op === 'INSERT' ? 'ok' : 'all'])),
  ]),
) as typeof USER_CELLS;

const EXPECTED: Record<Actor, typeof USER_CELLS> = {
  anon: allDenied,
  userA: USER_CELLS,
  userB: USER_CELLS,
  // user_metadata is editable by the user: it must grant nothing
  fakeAdmin: USER_CELLS,
  admin: {
    ...USER_CELLS,
    'public.failed_jobs': { ...USER_CELLS['public.failed_jobs'], SELECT: 'all' },
    'public.stripe_events': { ...USER_CELLS['public.stripe_events'], SELECT: 'all' },
    'public.payment_disputes': { ...USER_CELLS['public.payment_disputes'], SELECT: 'all' },
    'public.provider_calls': { ...USER_CELLS['public.provider_calls'], SELECT: 'all' },
    'public.checkout_reconciliations': { ...USER_CELLS['public.checkout_reconciliations'], SELECT: 'all' },
    'public.prompt_revisions': { ...USER_CELLS['public.prompt_revisions'], SELECT: 'all' },
    'public.generation_control': { ...USER_CELLS['public.generation_control'], SELECT: 'all' },
    'public.generation_outbox': { ...USER_CELLS['public.generation_outbox'], SELECT: 'all' },
  },
  service_role: serviceCells,
};

function claimsOf(actor: Actor): Record<string, unknown> | null {
  if (actor === 'anon' || actor === 'service_role') return null;
  const claims: Record<string, unknown> = { sub: users[actor], role: 'authenticated', aud: 'authenticated' };
  if (actor === 'fakeAdmin') claims.user_metadata = { role: 'admin' };
  if (actor === 'admin') claims.app_metadata = { role: 'admin' };
  return claims;
}

/** Runs `sql` as `actor` in a transaction that is always rolled back. */
async function attempt(actor: Actor, sql: string, params: unknown[]): Promise<{ rows: { id: string }[] } | { code: string }> {
  const client = await db.pool.connect();
  try {
    await client.query('begin');
    const role = actor === 'anon' || actor === 'service_role' ? actor : 'authenticated';
    await client.query(`select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)`, [role, JSON.stringify(claimsOf(actor) ?? {})]);
    const result = await client.query<{ id: string }>(sql, params);
    return { rows: result.rows };
  } catch (err) {
    return { code: (err as { code?: string }).code ?? String(err) };
  } finally {
    await client.query('rollback').catch(() => {});
    client.release();
  }
}

function classify(actor: Actor, op: Op, result: Awaited<ReturnType<typeof attempt>>, present: Set<string>): string {
  if ('code' in result) return result.code === '42501' ? 'denied' : `error ${result.code}`;
  if (op === 'INSERT') return 'ok';
  const seen = new Set(result.rows.map((r) => owners.get(r.id) ?? 'unknown'));
  if (seen.size === 0) return 'none';
  const me = actor === 'anon' || actor === 'service_role' ? null : users[actor];
  if (me && seen.size === 1 && seen.has(me)) return 'own';
  if (seen.size === present.size && [...present].every((o) => seen.has(o))) return 'all';
  return `other: ${[...seen].join(',')}`;
}

beforeAll(async () => {
  db = await createTestDatabase();
  for (const actor of Object.keys(users) as (keyof typeof users)[]) {
    users[actor] = await createUser(
      db.pool,
      actor === 'fakeAdmin' ? { userMetadata: { role: 'admin' } } : actor === 'admin' ? { appMetadata: { role: 'admin' } } : {},
    );
  }
  victimUser = await createUser(db.pool); // owns nothing: deletable
  // provider_calls, prompt_revisions and checkout_reconciliations all number rows 1, 2, …; this matrix maps ids to tables, so keep them apart.
  await db.pool.query(`select setval(pg_get_serial_sequence('public.prompt_revisions', 'id'), 1000000)`);
  await db.pool.query(`select setval(pg_get_serial_sequence('public.checkout_reconciliations', 'id'), 2000000)`);
  await withTransaction(db.pool, async (tx) => {
    for (const user of Object.values(users)) {
      const customization = await createCustomizationRow(db.pool, user);
      await createCustomizationRow(db.pool, user); // unreferenced: deletable
      const { rows } = await tx.query<{ id: string }>(
        `insert into public.orders (user_id, customization_id, stripe_session_id, status, amount, currency, occasion_date)
         values ($1, $2, 'cs_' || md5(random()::text), 'paid', 2900, 'usd', '2027-01-01') returning id`,
        [user, customization],
      );
      const orderId = rows[0]!.id;
      await tx.query(
        `insert into public.song_variants (order_id, user_id, variant_number, generation_status, storage_path, content_type, duration_ms, completed_at)
         values ($1, $2, 1, 'complete', 'songs/x/variant-1.mp3', 'audio/mpeg', 1000, now()), ($1, $2, 2, 'complete', 'songs/x/variant-2.mp3', 'audio/mpeg', 1000, now()), ($1, $2, 3, 'pending', null, null, null, null)`,
        [orderId, user],
      );
      await tx.query(`insert into public.failed_jobs (job_type, order_id, error_message) values ('generate_variant', $1, 'e')`, [orderId]);
      await tx.query(`insert into public.provider_calls (order_id, variant_number, provider) values ($1, 1, 'synth')`, [orderId]);
      await tx.query(
        `insert into public.generation_outbox (event_id, event_name, payload, order_id) values ('order:' || $1::text, 'song/order.paid', jsonb_build_object('orderId', $1::text), $1::text::uuid)`,
        [orderId],
      );
      await tx.query(
        `insert into public.prompt_revisions (order_id, variant_number, source, prompt, previous_prompt_sha256, prompt_sha256, created_by)
         values ($1, 3, 'operator', 'An original folk song', repeat('a', 64), repeat('b', 64), 'cli:ops')`,
        [orderId],
      );
    }
    await tx.query(`insert into public.stripe_events (id, type, livemode) values ('evt_a', 'x', false), ('evt_b', 'y', false)`);
    await tx.query(
      `insert into public.payment_disputes (id, charge_id, status, reason, amount, currency, status_event_created)
       values ('dp_a', 'ch_a', 'needs_response', 'fraudulent', 2900, 'usd', 1), ('dp_b', 'ch_b', 'won', 'general', 2900, 'usd', 1)`,
    );
    await tx.query(
      // ids apart from provider_calls' (row owners are looked up by id across tables)
      `insert into public.checkout_reconciliations (id, run_id, stripe_session_id, outcome) overriding system value
       values (900001, 'run-1', 'cs_a', 'fulfilled'), (900002, 'run-1', 'cs_b', 'needs_review')`,
    );
    await tx.query(`insert into dbos.workflow_status (workflow_uuid, status, name) values ('wf-1', 'SUCCESS', 'generate-song')`);
  });
  // Owner of every row, read with the privileged connection.
  const ownerQueries: [string, string][] = [
    ['public.customizations', 'select id::text, user_id::text as owner from public.customizations'],
    ['public.orders', 'select id::text, user_id::text as owner from public.orders'],
    ['public.song_variants', 'select id::text, user_id::text as owner from public.song_variants'],
    ['public.failed_jobs', 'select f.id::text, o.user_id::text as owner from public.failed_jobs f join public.orders o on o.id = f.order_id'],
    ['public.stripe_events', `select id, 'system' as owner from public.stripe_events`],
    ['public.payment_disputes', `select id, 'system' as owner from public.payment_disputes`],
    ['public.provider_calls', 'select p.id::text, o.user_id::text as owner from public.provider_calls p join public.orders o on o.id = p.order_id'],
    ['public.checkout_reconciliations', `select id::text, 'system' as owner from public.checkout_reconciliations`],
    ['public.prompt_revisions', 'select r.id::text, o.user_id::text as owner from public.prompt_revisions r join public.orders o on o.id = r.order_id'],
    ['public.generation_control', `select id::text, 'system' as owner from public.generation_control`],
    ['public.generation_outbox', 'select g.id::text, o.user_id::text as owner from public.generation_outbox g join public.orders o on o.id = g.order_id'],
    ['auth.users', 'select id::text, id::text as owner from auth.users'],
    ['dbos.workflow_status', `select workflow_uuid as id, 'system' as owner from dbos.workflow_status`],
  ];
  for (const [table, sql] of ownerQueries) {
    const { rows } = await db.pool.query<{ id: string; owner: string }>(sql);
    for (const r of rows) owners.set(r.id, r.owner);
    // Victims: rows that can be deleted without a foreign-key error.
    victims[table] =
      table === 'public.customizations'
        ? (
            await db.pool.query<{ id: string }>(
              'select id::text from public.customizations c where not exists (select 1 from public.orders o where o.customization_id = c.id)',
            )
          ).rows.map((r) => r.id)
        : table === 'auth.users'
          ? [victimUser]
          : rows.map((r) => r.id);
  }
});

const ACTORS: Actor[] = ['anon', 'userA', 'userB', 'fakeAdmin', 'admin', 'service_role'];
const cases = ACTORS.flatMap((actor) =>
  TABLES.flatMap((spec) => (Object.entries(EXPECTED[actor][spec.table]!) as [Op, Cell][]).map(([op, cell]) => ({ actor, spec, op, cell }))),
);

describe(`RLS attack matrix: ${ACTORS.length} actors × ${TABLES.length} tables × SELECT/INSERT/UPDATE/DELETE = ${cases.length} attempts`, () => {
  it.each(cases.map((c) => [c.actor, c.spec.table, c.op, c.cell, c] as const))('%s %s %s → %s', async (actor, table, op, cell, c) => {
    const present = new Set(
      [...owners.entries()]
        .filter(([id]) => (op === 'SELECT' ? true : victims[table]!.includes(id)))
        .filter(([id]) => tableOf(id) === table)
        .map(([, owner]) => owner),
    );
    let result;
    if (op === 'SELECT') result = await attempt(actor, `select ${c.spec.key} as id from ${table}`, []);
    else if (op === 'INSERT') {
      const [sql, params] = c.spec.insert(actor === 'anon' || actor === 'service_role' ? users.userA : users[actor]);
      result = await attempt(actor, sql, params);
    } else if (op === 'DELETE') {
      const idCast = table === 'dbos.workflow_status' ? 'workflow_uuid' : 'id::text';
      result = await attempt(actor, `delete from ${table} where ${idCast} = any($1) returning ${idCast} as id`, [victims[table]]);
    } else {
      result = await attempt(actor, op === 'UPDATE selected' ? c.spec.updateSelected! : c.spec.update, [victims[table]]);
    }
    expect(classify(actor, op, result, present)).toBe(cell);
  });
});

const tableIds = new Map<string, string>();
function tableOf(id: string): string | undefined {
  return tableIds.get(id);
}

beforeAll(async () => {
  const sources: [string, string][] = [
    ['public.customizations', 'select id::text from public.customizations'],
    ['public.orders', 'select id::text from public.orders'],
    ['public.song_variants', 'select id::text from public.song_variants'],
    ['public.failed_jobs', 'select id::text from public.failed_jobs'],
    ['public.stripe_events', 'select id from public.stripe_events'],
    ['public.payment_disputes', 'select id from public.payment_disputes'],
    ['public.provider_calls', 'select id::text from public.provider_calls'],
    ['public.checkout_reconciliations', 'select id::text from public.checkout_reconciliations'],
    ['public.prompt_revisions', 'select id::text from public.prompt_revisions'],
    ['public.generation_control', 'select id::text from public.generation_control'],
    ['public.generation_outbox', 'select id::text from public.generation_outbox'],
    ['auth.users', 'select id::text from auth.users'],
    ['dbos.workflow_status', 'select workflow_uuid as id from dbos.workflow_status'],
  ];
  for (const [table, sql] of sources) for (const r of (await db.pool.query<{ id: string }>(sql)).rows) tableIds.set(`${r.id}`, table);
});

describe('share tokens and the one selected variant', () => {
  it('only the owner can read a variant’s share token', async () => {
    const { rows } = await db.pool.query<{ share_token: string }>('select share_token from public.song_variants where user_id = $1 limit 1', [users.userA]);
    const token = rows[0]!.share_token;
    const read = async (actor: Actor) => {
      const r = await attempt(actor, 'select share_token::text as id from public.song_variants where share_token = $1', [token]);
      return 'code' in r ? 'denied' : r.rows.length;
    };
    expect({
      userA: await read('userA'),
      userB: await read('userB'),
      fakeAdmin: await read('fakeAdmin'),
      admin: await read('admin'),
      anon: await read('anon'),
    }).toEqual({
      userA: 1,
      userB: 0,
      fakeAdmin: 0,
      admin: 0,
      anon: 'denied',
    });
  });

  it('an owner may select at most one variant per order', async () => {
    const client = await db.pool.connect();
    try {
      await client.query('begin');
      await client.query(`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`, [JSON.stringify(claimsOf('userA'))]);
      const { rows } = await client.query<{ id: string; variant_number: number }>(
        'select id, variant_number from public.song_variants order by variant_number',
      );
      await client.query('update public.song_variants set selected = true where id = $1', [rows[0]!.id]);
      await client.query('savepoint s');
      await expect(client.query('update public.song_variants set selected = true where id = $1', [rows[1]!.id])).rejects.toMatchObject({ code: '23505' });
      await client.query('rollback to savepoint s');
      // and only a complete one: variant 3 is still pending
      await client.query('update public.song_variants set selected = false where id = $1', [rows[0]!.id]);
      await expect(client.query('update public.song_variants set selected = true where id = $1', [rows[2]!.id])).rejects.toMatchObject({ code: '42501' });
    } finally {
      await client.query('rollback');
      client.release();
    }
  });
});

describe('the PostgREST path (/rest/v1 with the publishable key and a user token)', () => {
  // PostgREST runs POST /rest/v1/customizations as `authenticated` with the
  // token's claims, exactly like `attempt` does. Writes are API-only, so the
  // API's rules (date range, language tag, trimming) cannot be skipped and
  // /api/checkout never sells a customization the API did not validate.
  it('a signed-in user cannot INSERT a customization directly, neither one the API would refuse nor a valid one', async () => {
    const rows = {
      refusedByTheApi: `'  Ada  ', 'birthday', '1850-01-01', 'folk', 'warm', 'story', 'not a language tag'`,
      acceptedByTheApi: `'Ada', 'birthday', '2027-01-01', 'folk', 'warm', 'story', 'en'`,
    };
    for (const values of Object.values(rows)) {
      const result = await attempt(
        'userA',
        `insert into public.customizations (user_id, recipient_name, occasion, occasion_date, genre, mood, story, language)
         values ($1, ${values}) returning id::text as id`,
        [users.userA],
      );
      expect(result).toEqual({ code: '42501' });
    }
  });

  it('the API creates it for the signed-in user after its own validation, and refuses what the rules refuse', async () => {
    const claims: JwtClaims = { sub: users.userB, role: 'authenticated' };
    const body = { recipientName: '  Ada  ', occasion: 'birthday', occasionDate: '2027-01-01', genre: 'folk', mood: 'warm', story: 'We met in the rain.' };
    const { id } = await createCustomization(db.pool, claims, body);
    const { rows } = await db.pool.query('select user_id, recipient_name, language from public.customizations where id = $1', [id]);
    expect(rows[0]).toEqual({ user_id: users.userB, recipient_name: 'Ada', language: 'en' });
    await expect(createCustomization(db.pool, claims, { ...body, occasionDate: '1850-01-01' })).rejects.toMatchObject({ status: 400 });
    await expect(createCustomization(db.pool, claims, { ...body, language: 'not a language tag' })).rejects.toMatchObject({ status: 400 });
    // A token for an account that no longer exists creates nothing.
    await expect(createCustomization(db.pool, { sub: '00000000-0000-4000-8000-000000000000', role: 'authenticated' }, body)).rejects.toMatchObject({
      status: 401,
    });
  });
});
