/**
 * `GET /healthz` on a running Kranz: 200 with JSON while it can record
 * incidents; 503 with a JSON reason when the schema is gone, the database
 * refuses writes, or the database belongs to another installation. Each
 * breakage is undone afterwards and health must come back.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/kranz-harness.ts';

let h: Harness;
let admin: pg.Client;

interface Health {
  status: number;
  contentType: string | null;
  body: { status?: string; code?: string; reason?: string; installationId?: string };
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

  it('answers 503 with a reason when a table of the schema is missing', async () => {
    await h.pool.query('alter table kranz_health rename to kranz_health_gone');
    try {
      const r = await healthz();
      expect(r.status).toBe(503);
      expect(r.contentType).toMatch(/^application\/json/);
      expect(r.body).toMatchObject({ status: 'unavailable', code: 'KRANZ_DB_SCHEMA_MISSING', reason: expect.stringContaining('kranz_health') });
    } finally {
      await h.pool.query('alter table kranz_health_gone rename to kranz_health');
    }
    expect((await healthz()).status).toBe(200);
  });

  it('answers 503 with a reason when the migration history is missing', async () => {
    await h.pool.query('alter table kranz_migrations rename to kranz_migrations_gone');
    try {
      const r = await healthz();
      expect(r.status).toBe(503);
      expect(r.body).toMatchObject({ status: 'unavailable', code: 'KRANZ_DB_MIGRATIONS_PENDING', reason: expect.stringContaining('0001_kranz_meta') });
    } finally {
      await h.pool.query('alter table kranz_migrations_gone rename to kranz_migrations');
    }
    expect((await healthz()).status).toBe(200);
  });

  it('answers 503 with a reason when the database is read-only, and recovers when it is writable again', async () => {
    await admin.query(`alter database ${h.db.name} set default_transaction_read_only = on`);
    try {
      await terminateKranzSessions();
      const r = await healthUntil((x) => x.body.code === 'KRANZ_DB_READ_ONLY', 'read-only');
      expect(r.status).toBe(503);
      expect(r.body).toMatchObject({ status: 'unavailable', reason: expect.stringContaining('read-only') });
    } finally {
      await admin.query(`alter database ${h.db.name} reset default_transaction_read_only`);
      await terminateKranzSessions();
    }
    const back = await healthUntil((x) => x.status === 200, 'healthy again');
    expect(back.body.status).toBe('ok');
  });

  it('answers 503 with a reason when the database carries another installation id', async () => {
    const mine = h.kranz.installationId;
    const other = randomUUID();
    await h.pool.query('update kranz_installation set id = $1', [other]);
    try {
      const r = await healthz();
      expect(r.status).toBe(503);
      expect(r.body).toMatchObject({ status: 'unavailable', code: 'KRANZ_INSTALLATION_MISMATCH' });
      expect(r.body.reason).toContain(other);
      expect(r.body.reason).toContain(mine);
    } finally {
      await h.pool.query('update kranz_installation set id = $1', [mine]);
    }
    expect((await healthz()).status).toBe(200);
  });
});
