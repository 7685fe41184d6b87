/**
 * A migrated test database with the real Postgres store and app deps on a
 * fake clock, for use-case tests.
 */
import { createHash, randomUUID } from 'node:crypto';
import pg from 'pg';
import { migrate } from '../../src/adapters/db/migrate.ts';
import { PostgresStore } from '../../src/adapters/db/store.ts';
import type { AppDeps } from '../../src/app/ports.ts';
import { asSlackChannelId, asSlackUserId } from '../../src/domain/ids.ts';
import type { Policy } from '../../src/domain/policy.ts';
import { createTestDatabase, testPool, type TestDatabase } from './db.ts';
import { T0, testPolicy } from './domain.ts';

export interface FakeClock {
  now(): Date;
  set(d: Date): void;
  advance(ms: number): void;
}

export function fakeClock(start = T0): FakeClock {
  let t = start.getTime();
  return { now: () => new Date(t), set: (d) => void (t = d.getTime()), advance: (ms) => void (t += ms) };
}

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

export interface AppHarness {
  db: TestDatabase;
  pool: pg.Pool;
  deps: AppDeps;
  clock: FakeClock;
  close(): Promise<void>;
}

/** App deps on an existing, migrated database (the caller ends `pool`). */
export async function appHarnessOn(url: string, policy: Policy = testPolicy): Promise<{ pool: pg.Pool; deps: AppDeps; clock: FakeClock }> {
  const pool = new pg.Pool({ connectionString: url, max: 5 });
  const clock = fakeClock();
  return { pool, clock, deps: depsFor(pool, clock, policy) };
}

function depsFor(pool: pg.Pool, clock: FakeClock, policy: Policy): AppDeps {
  return {
    store: new PostgresStore(pool),
    clock,
    policy,
    newId: randomUUID,
    sha256: (t) => createHash('sha256').update(t).digest('hex'),
  };
}

export async function appHarness(policy: Policy = testPolicy): Promise<AppHarness> {
  const db = await createTestDatabase('app');
  const pool = testPool(db.url, 10);
  await migrate(pool, { log: quiet });
  const clock = fakeClock();
  const deps = depsFor(pool, clock, policy);

  return {
    db, pool, deps, clock,
    async close() {
      await pool.end();
      await db.drop();
    },
  };
}

/** What a person's command carries when typed in a Slack channel: who, where, and its idempotency key. */
export function personMeta(key: string, userId = 'UDECL', channelId = 'CGEN') {
  return { actor: { kind: 'user' as const, userId: asSlackUserId(userId) }, source: { kind: 'slack' as const, channelId: asSlackChannelId(channelId) }, idempotencyKey: key };
}
