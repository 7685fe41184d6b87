/**
 * The `kranz` command: start, migrate, doctor, report, manifest, demo.
 * Configuration problems are printed one per line, naming the key, with exit 1.
 */
import { loadEnv, requireForStart, type EnvConfig } from './config/env.ts';
import { formatConfigIssues } from './config/issues.ts';
import { loadPolicy } from './config/load-policy.ts';
import type { Policy } from './domain/policy.ts';
import { createLogger, openCheckedDatabase } from './main.ts';

const HELP = `kranz: an incident commander that lives in Slack

Usage:
  kranz start                 start the bot (migrates first)
  kranz migrate               apply database migrations
  kranz doctor                check configuration against Slack, PagerDuty and the database
  kranz report <INC-n>        print the drafted report of an incident
  kranz manifest --url URL    print the Slack app manifest for your host
  kranz demo                  run the offline demo (embedded Postgres, local Slack and PagerDuty)

Environment: SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_APP_TOKEN, SLACK_API_URL, DATABASE_URL,
KRANZ_DATA_DIR, PORT, PAGERDUTY_TOKEN, PAGERDUTY_API_URL, PAGERDUTY_WEBHOOK_SECRETS, KRANZ_CONFIG, LOG_LEVEL.`;

export class CliError extends Error {}

export async function loadConfig(): Promise<{ env: EnvConfig; policy: Policy }> {
  const env = loadEnv();
  const problems: string[] = [];
  if (!env.ok) problems.push(...env.errors);
  const configPath = env.ok ? env.value.configPath : process.env['KRANZ_CONFIG'];
  const policy = await loadPolicy(configPath);
  if (!policy.ok) problems.push(formatConfigIssues(policy.errors, configPath ?? 'config'));
  if (!env.ok || !policy.ok) throw new CliError(`Kranz cannot start: the configuration has problems.\n${problems.join('\n')}`);
  return { env: env.value, policy: policy.policy };
}

async function cmdMigrate(): Promise<void> {
  const { env } = await loadConfig();
  const log = createLogger(env.logLevel);
  const { db, applied, installationId } = await openCheckedDatabase(env, log);
  await db.close();
  process.stdout.write(`Migrated ${db.url} (installation ${installationId}): ${applied.length ? `applied ${applied.join(', ')}` : 'already up to date'}.\n`);
}

async function cmdDoctor(): Promise<boolean> {
  const { env, policy } = await loadConfig();
  const { runDoctor } = await import('./doctor.ts');
  return runDoctor(env, policy, (line) => process.stdout.write(`${line}\n`));
}

async function cmdReport(ref: string | undefined): Promise<void> {
  const m = /^(?:INC-)?(\d+)$/i.exec(ref ?? '');
  if (!m) throw new CliError('Usage: kranz report INC-42');
  const { env, policy } = await loadConfig();
  const log = createLogger(env.logLevel === 'info' ? 'warn' : env.logLevel);
  const { db } = await openCheckedDatabase(env, log);
  try {
    const { PostgresStore } = await import('./adapters/db/store.ts');
    const { draftReport } = await import('./domain/report/index.ts');
    const store = new PostgresStore(db.pool);
    const events = await store.transaction(async (u) => {
      const id = await u.findIncidentIdByNumber(Number(m[1]));
      return id ? u.loadEvents(id) : undefined;
    });
    if (!events) throw new CliError(`There is no INC-${m[1]} in ${db.url}.`);
    process.stdout.write(draftReport(events, policy));
  } finally {
    await db.close();
  }
}

async function cmdManifest(args: string[]): Promise<void> {
  const i = args.indexOf('--url');
  const url = i >= 0 ? args[i + 1] : undefined;
  const { renderManifest, loadManifest } = await import('./adapters/slack/manifest.ts');
  process.stdout.write(url ? renderManifest(url) : await loadManifest());
}

async function cmdStart(): Promise<void> {
  const { env, policy } = await loadConfig();
  const missing = requireForStart(env);
  if (missing.length) throw new CliError(`Kranz cannot start:\n${missing.join('\n')}`);
  const log = createLogger(env.logLevel);
  // The same checks as `kranz doctor`: refuse on a fatal one, warn about the rest.
  const { doctorChecks, formatCheck } = await import('./doctor.ts');
  const failed = (await doctorChecks(env, policy, { mode: 'start' })).filter((c) => !c.ok);
  if (failed.some((c) => c.fatal)) throw new CliError(`Kranz cannot start:\n${failed.flatMap(formatCheck).join('\n')}`);
  for (const c of failed) log.warn({ check: c.what, problem: c.problem, fix: c.fix, details: c.details }, `doctor: ${c.what}: ${c.problem}`);
  const { startKranz } = await import('./main.ts');
  const { defaultExtensions } = await import('./extensions.ts');
  const kranz = await startKranz({ env, policy, log, extensions: defaultExtensions() });
  let stopping = false;
  const onSignal = (sig: string) => {
    if (stopping) {
      // A second signal means "now".
      process.stderr.write(`${sig} again: exiting at once.\n`);
      process.exit(1);
    }
    stopping = true;
    kranz.log.info({ sig }, 'shutting down');
    kranz.stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...args] = argv;
  try {
    switch (cmd) {
      case 'start': await cmdStart(); return -1;
      case 'migrate': await cmdMigrate(); return 0;
      case 'doctor': return (await cmdDoctor()) ? 0 : 1;
      case 'report': await cmdReport(args[0]); return 0;
      case 'manifest': await cmdManifest(args); return 0;
      case 'demo': { const { runDemo } = await import('./sandbox/demo/run-demo.ts'); const r = await runDemo({ out: (l) => process.stdout.write(l + '\n') }); return r.ok ? 0 : 1; }
      case undefined: case 'help': case '--help': case '-h':
        process.stdout.write(`${HELP}\n`);
        return 0;
      default:
        process.stderr.write(`Unknown command "${cmd}".\n\n${HELP}\n`);
        return 1;
    }
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const code = (e as { code?: string }).code;
    process.stderr.write(`${code && !(e instanceof CliError) ? `[${code}] ` : ''}${msg}\n`);
    return 1;
  }
}

const code = await main(process.argv.slice(2));
if (code >= 0) process.exit(code);
