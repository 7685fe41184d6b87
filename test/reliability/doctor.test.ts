/**
 * `kranz doctor` against the Slack and PagerDuty stand-ins and a migrated
 * test database: all ✓ on a good setup, and each broken piece named with its
 * fix. Also the CLI's exit codes and `kranz start` refusing a fatal problem.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV_KEYS, loadEnv, type EnvConfig } from '../../src/config/env.ts';
import { doctorChecks, runDoctor, type DoctorOptions } from '../../src/doctor.ts';
import type { Policy } from '../../src/domain/policy.ts';
import { DEFAULT_PERMISSIONS } from '../../src/domain/permissions.ts';
import { createLogger, openCheckedDatabase } from '../../src/main.ts';
import { manifestBotScopes } from '../../src/adapters/slack/manifest.ts';
import { startPagerDutyStandIn, STAND_IN_TOKEN, type PagerDutyStandIn } from '../../src/sandbox/pagerduty/stand-in.ts';
import { SEED } from '../../src/sandbox/pagerduty/state.ts';
import { startSlackStandIn, type SlackStandIn } from '../../src/sandbox/slack/index.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { testPolicy } from '../helpers/domain.ts';
import { freePort } from '../helpers/net.ts';
import { asPdServiceId, asSlackChannelId } from '../../src/domain/ids.ts';

const BOT_TOKEN = 'xoxb-doctor-token';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let slack: SlackStandIn;
let pd: PagerDutyStandIn;
let db: TestDatabase;
let pool: pg.Pool;
const dirs: string[] = [];
const servers: Server[] = [];

const policy: Policy = {
  ...testPolicy,
  pagerduty: {
    ...testPolicy.pagerduty,
    services: [{ serviceId: asPdServiceId(SEED.services.checkout), autoOpen: true, severityByPriority: {}, severityByUrgency: { high: 'SEV1', low: 'SEV3' }, customers: ['acme'] }],
  },
};

async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'kranz-doctor-'));
  dirs.push(d);
  return d;
}

let goodDataDir: string;
function rawEnv(over: Record<string, string> = {}): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: 'doctor-signing-secret',
    SLACK_API_URL: slack.apiUrl,
    DATABASE_URL: db.url,
    KRANZ_DATA_DIR: goodDataDir,
    PAGERDUTY_TOKEN: STAND_IN_TOKEN,
    PAGERDUTY_API_URL: pd.url,
    PAGERDUTY_WEBHOOK_SECRETS: 'whsec-doctor',
    PAGERDUTY_FROM_EMAIL: SEED.emails.bot,
    LOG_LEVEL: 'silent',
    ...over,
  };
}
function envOf(over: Record<string, string> = {}): EnvConfig {
  const r = loadEnv(rawEnv(over));
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.value;
}

async function doctor(env: EnvConfig, p: Policy = policy, opts: DoctorOptions = {}): Promise<{ ok: boolean; lines: string[] }> {
  const lines: string[] = [];
  const ok = await runDoctor(env, p, (l) => lines.push(l), opts);
  return { ok, lines };
}
const failures = (lines: string[]): string[] => lines.filter((l) => l.startsWith('✗'));

/** Passes Web API calls through to the stand-in, adding the `x-oauth-scopes` header real Slack sends. */
async function scopeProxy(scopes: readonly string[]): Promise<string> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const h of ['authorization', 'content-type']) if (typeof req.headers[h] === 'string') headers[h] = req.headers[h];
      fetch(new URL(req.url ?? '/', slack.baseUrl), { method: req.method ?? 'POST', headers, ...(chunks.length ? { body: Buffer.concat(chunks) } : {}) })
        .then(async (up) => {
          res.writeHead(up.status, { 'content-type': up.headers.get('content-type') ?? 'application/json', 'x-oauth-scopes': scopes.join(',') });
          res.end(Buffer.from(await up.arrayBuffer()));
        })
        .catch(() => res.destroy());
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
}

function runCli(args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const base: Record<string, string | undefined> = { ...process.env };
  for (const k of ENV_KEYS) delete base[k];
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: ROOT, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kranz ${args.join(' ')} did not exit within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  slack = await startSlackStandIn({
    botToken: BOT_TOKEN,
    channels: [
      { id: 'CANNOUNCE', name: 'incidents', botIsMember: true },
      { id: 'CSTAKE', name: 'stakeholders', botIsMember: true },
      { id: 'CACME', name: 'acme-shared', botIsMember: true },
      { id: 'CWARROOM', name: 'war-room', botIsMember: false },
    ],
    users: [{ id: 'UADA', name: 'ada' }],
    userGroups: [{ id: 'S0INCMGRS1', handle: 'incident-managers', users: ['UADA'] }, { id: 'S0EMPTY001', handle: 'nobody', users: [] }],
  });
  pd = await startPagerDutyStandIn();
  db = await createTestDatabase('doctor');
  goodDataDir = await tempDir();
  // What `kranz migrate` leaves behind: a migrated database and the data dir's installation record.
  const opened = await openCheckedDatabase(envOf(), createLogger('silent'));
  await opened.db.close();
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
});

afterAll(async () => {
  for (const s of servers) await new Promise<void>((r) => s.close(() => r()));
  await pool?.end();
  await slack?.close();
  await pd?.close();
  await db?.drop();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('kranz doctor', () => {
  it('passes every check on a good setup', async () => {
    const { ok, lines } = await doctor(envOf());
    expect(failures(lines)).toEqual([]);
    expect(ok).toBe(true);
    const text = lines.join('\n');
    for (const expected of [
      '✓ configuration valid',
      '✓ Slack bot token valid: @kranz (U0KRANZBOT)',
      '✓ announcements channel #incidents (CANNOUNCE): bot is a member',
      '✓ stakeholder channel #stakeholders (CSTAKE): bot is a member',
      "✓ Acme Corp's customer channel #acme-shared (CACME): bot is a member",
      '✓ PagerDuty token valid',
      `✓ PagerDuty service ${SEED.services.checkout} exists (Checkout API)`,
      '✓ PagerDuty webhook signing secret set (1)',
      `✓ PagerDuty From email set (${SEED.emails.bot})`,
      '✓ database reachable',
      '✓ database schema up to date',
      '✓ installation id',
      '✓ database accepts writes',
      '✓ no dead letters',
    ]) {
      expect(text).toContain(expected);
    }
    // The stand-in sends no x-oauth-scopes header, and doctor says so rather than guessing.
    expect(text).toContain('✓ Slack bot scopes: not compared with manifest.yml');
    expect(lines.at(-1)).toMatch(/^All \d+ checks passed\.$/);
  });

  it('flags a channel the bot is not in, with the /invite fix', async () => {
    const { ok, lines } = await doctor(envOf(), { ...policy, stakeholderChannel: asSlackChannelId('CWARROOM') });
    expect(ok).toBe(false);
    expect(failures(lines)).toEqual(['✗ stakeholder channel #war-room (CWARROOM): bot is not in #war-room. Fix: /invite @kranz in #war-room']);
  });

  it('flags a channel that does not exist', async () => {
    const { lines } = await doctor(envOf(), { ...policy, announcementsChannel: asSlackChannelId('CGONE') });
    expect(failures(lines)).toEqual([expect.stringMatching(/^✗ announcements channel CGONE: no such channel .*Fix: check announcements_channel/)]);
  });

  it('checks the user groups the permissions name: one that exists passes, a wrong id and an empty group are flagged with the key', async () => {
    const perms = (admins: string[], page: string[] = ['commander']) => ({ ...policy, permissions: { admins: admins as never[], allow: { ...DEFAULT_PERMISSIONS.allow, page: page as never[] } } });
    const good = await doctor(envOf(), perms(['S0INCMGRS1', 'UADA']));
    expect(good.lines).toContain('✓ user group S0INCMGRS1 (permissions.admins[0]): 1 member');
    expect(failures(good.lines)).toEqual([]);
    const bad = await doctor(envOf(), perms(['S0INCMGRS1', 'S0NOSUCH01'], ['commander', 'S0EMPTY001']));
    expect(failures(bad.lines)).toEqual([
      expect.stringMatching(/^✗ user group S0NOSUCH01 \(permissions\.admins\[1\]\): no such user group\. Fix: check permissions\.admins\[1\]/),
      expect.stringMatching(/^✗ user group S0EMPTY001 \(permissions\.allow\.page\[1\]\): has no members/),
    ]);
  });

  it('flags an unknown PagerDuty service', async () => {
    const withUnknown: Policy = { ...policy, pagerduty: { ...policy.pagerduty, services: [...policy.pagerduty.services, { ...policy.pagerduty.services[0]!, serviceId: asPdServiceId('PNOPE00') }] } };
    const { ok, lines } = await doctor(envOf(), withUnknown);
    expect(ok).toBe(false);
    expect(failures(lines)).toEqual([expect.stringMatching(/^✗ PagerDuty service PNOPE00: PagerDuty has no such service.*Fix: check pagerduty\.services\[1\]\.id/)]);
  });

  it('flags a missing webhook secret and a missing From email', async () => {
    const { ok, lines } = await doctor(envOf({ PAGERDUTY_WEBHOOK_SECRETS: '', PAGERDUTY_FROM_EMAIL: '' }));
    expect(ok).toBe(false);
    expect(failures(lines)).toEqual([
      expect.stringMatching(/^✗ PagerDuty webhook signing secret: PAGERDUTY_WEBHOOK_SECRETS is empty.*Fix: .*PAGERDUTY_WEBHOOK_SECRETS$/),
      expect.stringMatching(/^✗ PagerDuty From email: PAGERDUTY_FROM_EMAIL is not set.*Fix: set PAGERDUTY_FROM_EMAIL/),
    ]);
  });

  it('flags a token PagerDuty refuses', async () => {
    const { lines } = await doctor(envOf({ PAGERDUTY_TOKEN: 'pd-wrong-token' }));
    expect(failures(lines)).toEqual([expect.stringMatching(/^✗ PagerDuty token: PagerDuty refused the token \(HTTP 401\)\. Fix: /)]);
  });

  it('flags dead letters with a count and the five most recent with their errors', async () => {
    const ids: number[] = [];
    for (let i = 1; i <= 7; i++) {
      const r = await pool.query<{ id: string }>(
        `insert into outbox (target, order_key, op, payload, idempotency_key, status, attempts, last_error)
         values ('slack', 'CACME', 'post_message', '{}', $1, 'dead', 3, $2) returning id`,
        [`doctor-dead-${i}-${randomUUID()}`, `channel_not_found (${i})`],
      );
      ids.push(Number(r.rows[0]!.id));
    }
    try {
      const { ok, lines } = await doctor(envOf({ PAGERDUTY_WEBHOOK_SECRETS: '' }), { ...policy, stakeholderChannel: asSlackChannelId('CWARROOM') });
        expect(ok).toBe(false);
      const i = lines.findIndex((l) => l.startsWith('✗ dead letters'));
      expect(lines[i]).toMatch(/^✗ dead letters: 7 outbox rows failed permanently.*Fix: see them with `kranz outbox list`.*`kranz outbox retry <id>`/);
      const details = lines.slice(i + 1, i + 6);
      expect(details).toEqual([7, 6, 5, 4, 3].map((n) => expect.stringMatching(new RegExp(`^    #${ids[n - 1]} slack post_message \\(order key CACME, .*\\): channel_not_found \\(${n}\\)$`))));
      expect(lines[i + 6]).not.toMatch(/^    #/);
    } finally {
      await pool.query('delete from outbox where id = any($1::bigint[])', [ids]);
    }
  });

  it('flags an invalid Slack token as fatal and skips the checks that need it', async () => {
    const results = await doctorChecks(envOf({ SLACK_BOT_TOKEN: 'xoxb-not-the-token' }), policy);
    const failed = results.filter((r) => !r.ok);
    expect(failed).toEqual([expect.objectContaining({ what: 'Slack bot token', problem: 'Slack refused the token (invalid_auth)', fatal: true })]);
    expect(results.some((r) => r.what.includes('channel'))).toBe(false);
  });

  it('compares granted scopes with the manifest when Slack reports them', async () => {
    const all = manifestBotScopes();
    const full = await doctor(envOf({ SLACK_API_URL: await scopeProxy(all) }));
    expect(full.lines).toContain(`✓ Slack bot scopes cover manifest.yml (${all.length} scopes)`);
    const fewer = await doctor(envOf({ SLACK_API_URL: await scopeProxy(all.filter((s) => s !== 'pins:write' && s !== 'canvases:write')) }));
    expect(fewer.ok).toBe(false);
    expect(failures(fewer.lines)).toEqual([expect.stringMatching(/^✗ Slack bot scopes: the bot token lacks scopes pins:write, canvases:write that manifest\.yml asks for\. Fix: .*reinstall/)]);
  });

  it('flags a data dir of another installation as fatal, and never writes the state file', async () => {
    const other = await tempDir();
    const foreign = randomUUID();
    await writeFile(join(other, 'installation.json'), JSON.stringify({ installationId: foreign, databaseUrl: 'postgres://elsewhere/kranz', firstStartedAt: new Date().toISOString() }));
    const mismatch = (await doctorChecks(envOf({ KRANZ_DATA_DIR: other }), policy)).find((r) => r.what === 'installation id');
    expect(mismatch).toMatchObject({ ok: false, fatal: true, problem: expect.stringContaining(`data dir ${other} to installation ${foreign}`) });

    // A data dir without a record: start would adopt the database's id; doctor only says so.
    const fresh = await tempDir();
    const { ok, lines } = await doctor(envOf({ KRANZ_DATA_DIR: fresh }));
    expect(ok).toBe(true);
    expect(lines.join('\n')).toMatch(/✓ installation id [0-9a-f-]{36} \(the data dir has no record yet; start adopts/);
    expect(await readdir(fresh)).toEqual([]);
  });

  it('flags pending migrations (but not at start, which applies them)', async () => {
    const empty = await createTestDatabase('doctor_empty');
    try {
      const env = envOf({ DATABASE_URL: empty.url, KRANZ_DATA_DIR: await tempDir() });
      const { lines } = await doctor(env);
      expect(failures(lines)).toEqual([expect.stringMatching(/^✗ database schema: \d+ migrations are not applied: 0001_kranz_meta, .*Fix: run kranz migrate/)]);
      const atStart = await doctorChecks(env, policy, { mode: 'start' });
      expect(atStart.filter((r) => !r.ok)).toEqual([]);
    } finally {
      await empty.drop();
    }
  });

  it('reports a database that never answers as fatal at its deadline, without the password', async () => {
    // Accepts TCP connections and says nothing: the case where a plain connect would hang.
    const sockets = new Set<Socket>();
    const silent = createNetServer((s) => sockets.add(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as AddressInfo).port;
    try {
      const t0 = Date.now();
      const results = await doctorChecks(envOf({ DATABASE_URL: `postgres://kranz:hunter2-secret@127.0.0.1:${port}/kranz` }), policy, { timeouts: { connectMs: 1_000 } });
      expect(Date.now() - t0).toBeLessThan(4_000);
      expect(results.find((r) => r.what === 'database reachable')).toMatchObject({ ok: false, fatal: true, problem: expect.stringContaining('did not answer within 1 s') });
      expect(JSON.stringify(results)).not.toContain('hunter2-secret');
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });

  it('never hangs: a PagerDuty that does not answer fails its check at the deadline', async () => {
    pd.faults.hang('listAbilities');
    try {
      const t0 = Date.now();
      const { lines } = await doctor(envOf(), policy, { timeouts: { callMs: 400 } });
      expect(Date.now() - t0).toBeLessThan(4_000);
      expect(failures(lines)).toEqual([expect.stringMatching(/^✗ PagerDuty token: .*within 400 ms.*Fix: check PAGERDUTY_API_URL/)]);
    } finally {
      pd.faults.clear();
    }
  });
});

describe('kranz doctor and kranz start on the command line', () => {
  it('exits 0 when every check passes and 1 on any ✗', async () => {
    const good = await runCli(['doctor'], rawEnv());
    expect(good.stdout).toContain('✓ database accepts writes');
    expect(good.code).toBe(0);
    const bad = await runCli(['doctor'], rawEnv({ PAGERDUTY_WEBHOOK_SECRETS: '' }));
    expect(bad.stdout).toContain('✗ PagerDuty webhook signing secret');
    expect(bad.code).toBe(1);
  }, 120_000);

  it('kranz start refuses to start on a fatal check and prints it', async () => {
    // A free port of its own: the default (3000) may be held by another test file's Kranz (the demo's web view).
    const r = await runCli(['start'], rawEnv({ SLACK_BOT_TOKEN: 'xoxb-not-the-token', PORT: String(await freePort()) }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Kranz cannot start:');
    expect(r.stderr).toContain('✗ Slack bot token: Slack refused the token (invalid_auth)');
  }, 120_000);
});
