/**
 * `GET /healthz` on a running Kranz: 200 with JSON while it can record
 * incidents; 503 naming the failing check when the schema is gone, the
 * database refuses writes, or the database belongs to another installation,
 * without hosts, ports, ids or the database's own words (those go to the
 * log). Each breakage is undone afterwards and health must come back. The
 * real check (a database write) runs at most once per cache period, however
 * many callers ask.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startHarness, type Harness } from '../helpers/kranz-harness.ts';
import { freePort } from '../helpers/net.ts';
import { healthRoute } from '../../src/adapters/http/health-route.ts';
import { checkDatabaseHealth } from '../../src/adapters/db/health.ts';

let h: Harness;
let admin: pg.Client;

interface Health {
  status: number;
  contentType: string | null;
  body: { status?: string; check?: string; code?: string; reason?: string; installationId?: string };
}

async function healthz(): Promise<Health> {
  const r = await fetch(`${h.kranz.url}/healthz`);
  return { status: r.status, contentType: r.headers.get('content-type'), body: (await r.json()) as Health['body'] };
}

/** Polls /healthz until `pred` holds (connections may need a moment to pick a change up). */
async function healthUntil(pred: (x: Health) => boolean, what: string, timeoutMs = 8_000): Promise<Health> {
  const deadline = Date.now() + timeoutMs;
  let last: Health | undefined;
  while (Date.now() < deadline) {
    last = await healthz();
    if (pred(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`/healthz never became ${what}; last answer ${JSON.stringify(last)}`);
}

const swallow = (): void => undefined;

/**
 * Ends Kranz's pooled sessions so new ones pick up database-level settings.
 *
 * pg emits 'error' on a checked-out client whose backend dies, and pool.ts
 * only listens on idle ones: a session terminated mid-transaction (outbox
 * poll, health probe) throws an uncaught exception. That is a defect of
 * src/adapters/db/pool.ts (reported, not this test's to fix); the listener
 * {@link guardClient} adds at every checkout keeps it from failing this test
 * run, which is about /healthz.
 */
async function terminateKranzSessions(): Promise<void> {
  await admin.query("select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and application_name = 'kranz'", [h.db.name]);
}

function guardClient(client: pg.PoolClient): void {
  if (!client.listeners('error').includes(swallow)) client.on('error', swallow);
}

beforeAll(async () => {
  h = await startHarness();
  // Registered first thing, so every client checked out later carries it.
  h.kranz.db.pool.on('acquire', guardClient);
  admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await admin.connect();
});

afterAll(async () => {
  await admin?.query(`alter database ${h.db.name} reset default_transaction_read_only`).catch(() => undefined);
  await admin?.end();
  await h?.close();
});

describe('GET /healthz', () => {
  it('answers 200 with JSON naming the installation on a healthy Kranz', async () => {
    const r = await healthz();
    expect(r.status).toBe(200);
    expect(r.contentType).toMatch(/^application\/json/);
    expect(r.body).toEqual({ status: 'ok', installationId: h.kranz.installationId });
    // It really wrote: the heartbeat carries this process.
    const beat = await h.pool.query<{ by: string }>('select by from kranz_health where id = 1');
    expect(beat.rows[0]?.by).toMatch(new RegExp(`:${process.pid}$`));
  });

  it('answers 503 naming the schema check when a table of the schema is missing', async () => {
    await h.pool.query('alter table kranz_health rename to kranz_health_gone');
    try {
      const r = await healthUntil((x) => x.status === 503, 'unavailable');
      expect(r.contentType).toMatch(/^application\/json/);
      expect(r.body).toEqual({ status: 'unavailable', check: 'database_schema', code: 'KRANZ_DB_SCHEMA_MISSING', reason: "Kranz's tables are missing. Details are in Kranz's log." });
    } finally {
      await h.pool.query('alter table kranz_health_gone rename to kranz_health');
    }
    await healthUntil((x) => x.status === 200, 'healthy again');
  });

  it('answers 503 naming the schema check when the migration history is missing', async () => {
    await h.pool.query('alter table kranz_migrations rename to kranz_migrations_gone');
    try {
      const r = await healthUntil((x) => x.status === 503, 'unavailable');
      expect(r.body).toMatchObject({ status: 'unavailable', check: 'database_schema', code: 'KRANZ_DB_MIGRATIONS_PENDING' });
      // The migration file names are for the log, not for anonymous callers.
      expect(JSON.stringify(r.body)).not.toContain('0001_kranz_meta');
    } finally {
      await h.pool.query('alter table kranz_migrations_gone rename to kranz_migrations');
    }
    await healthUntil((x) => x.status === 200, 'healthy again');
  });

  it('answers 503 naming the write check when the database is read-only, and recovers when it is writable again', async () => {
    await admin.query(`alter database ${h.db.name} set default_transaction_read_only = on`);
    try {
      await terminateKranzSessions();
      const r = await healthUntil((x) => x.body.code === 'KRANZ_DB_READ_ONLY', 'read-only');
      expect(r.status).toBe(503);
      expect(r.body).toMatchObject({ status: 'unavailable', check: 'database_write', reason: expect.stringContaining('read-only') });
    } finally {
      await admin.query(`alter database ${h.db.name} reset default_transaction_read_only`);
      await terminateKranzSessions();
    }
    const back = await healthUntil((x) => x.status === 200, 'healthy again');
    expect(back.body.status).toBe('ok');
  });

  it('answers 503 naming the installation check when the database carries another installation id, without either id', async () => {
    const mine = h.kranz.installationId;
    const other = randomUUID();
    await h.pool.query('update kranz_installation set id = $1', [other]);
    try {
      const r = await healthUntil((x) => x.status === 503, 'unavailable');
      expect(r.body).toMatchObject({ status: 'unavailable', check: 'installation', code: 'KRANZ_INSTALLATION_MISMATCH' });
      expect(JSON.stringify(r.body)).not.toContain(other);
      expect(JSON.stringify(r.body)).not.toContain(mine);
    } finally {
      await h.pool.query('update kranz_installation set id = $1', [mine]);
    }
    await healthUntil((x) => x.status === 200, 'healthy again');
  });

  it('runs the real check at most once per cache period, however many callers ask at once', async () => {
    // Counts the heartbeat writes in the database itself.
    await h.pool.query('create table health_writes (at timestamptz not null default clock_timestamp())');
    await h.pool.query(`create function count_health_write() returns trigger language plpgsql as $$ begin insert into health_writes default values; return new; end $$`);
    await h.pool.query('create trigger count_health_write after insert or update on kranz_health for each row execute function count_health_write()');
    try {
      const started = Date.now();
      let answers = 0;
      let asked = 0;
      // Rounds of 25 simultaneous probes for longer than one 2 s cache period, so at least one
      // real check must fall inside the window (a result cached just before it would cover a shorter one).
      while (asked < 500 || Date.now() - started < 2_500) {
        const rs = await Promise.all(Array.from({ length: 25 }, () => healthz()));
        asked += rs.length;
        answers += rs.filter((r) => r.status === 200).length;
        await new Promise((r) => setTimeout(r, 50));
      }
      const elapsedMs = Date.now() - started;
      const writes = Number((await h.pool.query<{ n: string }>('select count(*)::text as n from health_writes')).rows[0]?.n);
      expect(answers).toBe(asked);
      // One check per 2 s period the probes spanned (plus the period they started in).
      expect(writes).toBeGreaterThanOrEqual(1);
      expect(writes).toBeLessThanOrEqual(Math.ceil(elapsedMs / 2_000) + 1);
    } finally {
      await h.pool.query('drop trigger count_health_write on kranz_health');
      await h.pool.query('drop function count_health_write()');
      await h.pool.query('drop table health_writes');
    }
  });
});

describe('GET /healthz with its database unreachable', () => {
  it('names the connection check, and the host and port only in the log', async () => {
    const port = await freePort();
    const pool = new pg.Pool({ connectionString: `postgres://kranz:secret-password@127.0.0.1:${port}/kranz`, connectionTimeoutMillis: 1_000 });
    const logged: { o: object; m?: string }[] = [];
    const log = { warn: (o: object, m?: string) => logged.push({ o, ...(m ? { m } : {}) }), info: () => undefined };
    const route = healthRoute({ check: () => checkDatabaseHealth(pool, { installationId: 'x' }), installationId: 'x', log });
    const server = createServer((req, res) => void route(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`;
      const r = await fetch(url);
      const text = await r.text();
      expect(r.status).toBe(503);
      expect(JSON.parse(text)).toEqual({ status: 'unavailable', check: 'database_connection', code: 'KRANZ_DB_UNREACHABLE', reason: "Kranz cannot reach its database. Details are in Kranz's log." });
      for (const secret of [String(port), '127.0.0.1', 'secret-password', 'kranz:']) expect(text).not.toContain(secret);
      // The operator still learns where it tried.
      expect(JSON.stringify(logged)).toContain(String(port));
      // A second caller within the cache period shares the answer and adds no log line.
      expect((await fetch(url)).status).toBe(503);
      expect(logged).toHaveLength(1);
    } finally {
      server.close();
      await pool.end();
    }
  });
});
