/**
 * What every service bench sets up and tears down: a temp dir (logs, Kranz
 * data dirs, policy file), its own PostgreSQL, the Slack stand-in and free
 * ports. `withBench` guarantees the teardown runs, in reverse order.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { migrate } from '../../src/adapters/db/migrate.ts';
import { startSlackStandIn, type SlackStandIn } from '../../src/sandbox/slack/index.ts';
import { startBenchPostgres, type BenchPostgres } from './postgres.ts';
import { BOT_TOKEN, SIGNING_SECRET } from './requests.ts';

/** The person who runs commands in the benches, known to both stand-ins' worlds. */
export const BENCH_USER = { id: 'UBENCH01', name: 'bench', real_name: 'Bench Commander', email: 'alice@example.com' };

export interface BenchContext {
  dir: string;
  /** CPU cores of the machine, for the printed notes. */
  cores: number;
  pg: BenchPostgres;
  /** Registers a teardown step (run last-in, first-out). */
  defer(fn: () => Promise<unknown> | unknown): void;
}

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** Runs `fn` with a temp dir and a fresh PostgreSQL; everything deferred is torn down even on failure. */
export async function withBench<T>(label: string, fn: (ctx: BenchContext) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), `kranz-bench-${label}-`));
  const steps: (() => Promise<unknown> | unknown)[] = [];
  try {
    const pgServer = await startBenchPostgres(label);
    steps.push(() => pgServer.stop());
    return await fn({ dir, cores: cpus().length, pg: pgServer, defer: (s) => steps.push(s) });
  } finally {
    for (const s of steps.reverse()) await Promise.resolve().then(s).catch((e: unknown) => console.error(`teardown: ${(e as Error).message}`));
    // Keep the logs of a failed run for a look; a clean run leaves nothing behind.
    if (process.env['KRANZ_BENCH_KEEP'] !== '1') await rm(dir, { recursive: true, force: true });
  }
}

/** Creates a database, migrates it (so baselines can use Kranz's tables) and returns its URL and a small pool. */
export async function migratedDatabase(ctx: BenchContext, name: string): Promise<{ url: string; pool: pg.Pool }> {
  const url = await ctx.pg.createDatabase(name);
  const pool = new pg.Pool({ connectionString: url, max: 3 });
  // The server stops at teardown; an idle client noticing must not crash the bench.
  pool.on('error', () => undefined);
  ctx.defer(() => pool.end());
  await migrate(pool, { log: quiet });
  return { url, pool };
}

/** A Slack stand-in with the bench user and a general channel. */
export async function slackStandIn(ctx: BenchContext): Promise<SlackStandIn> {
  const slack = await startSlackStandIn({
    botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET,
    users: [BENCH_USER],
    channels: [{ id: 'CGENERAL', name: 'general', members: [BENCH_USER.id], botIsMember: true, is_general: true }],
  });
  ctx.defer(() => slack.close());
  return slack;
}

/** Writes a policy YAML whose PagerDuty service is the stand-in's checkout service. */
export async function writePolicy(ctx: BenchContext, o: { autoOpen: boolean }): Promise<string> {
  const file = join(ctx.dir, `policy-${o.autoOpen ? 'auto' : 'manual'}.yml`);
  await writeFile(file, [
    '# Written by the bench: one PagerDuty service (the stand-in\'s seeded checkout service).',
    'pagerduty:',
    '  services:',
    '    - id: PSVCCHK',
    `      auto_open: ${o.autoOpen}`,
    '      escalation_policy: PEPCHK1',
    '      severity_by_urgency: { high: SEV2, low: SEV4 }',
    '',
  ].join('\n'));
  return file;
}
