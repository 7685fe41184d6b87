/**
 * `kranz demo`: one command, offline. Starts the embedded PostgreSQL (in its
 * own data dir, wiped each run so the story is the same every time), the
 * Slack, PagerDuty and Statuspage stand-ins, a local SMTP server and Kranz, plays a 29-minute incident on an
 * accelerated clock while printing what Kranz does and why, writes the report
 * Kranz drafted to a file and stops everything.
 */
import { activitySince, latestReport } from '../../app/query-activity.ts';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, parse, relative, resolve } from 'node:path';
import pino, { type Logger } from 'pino';
import { redactPaths } from '../../config/env.ts';
import type { EventType, IncidentEvent } from '../../domain/events.ts';
import type { Policy } from '../../domain/policy.ts';
import type { Kranz, KranzExtension, StartKranz } from '../../runtime.ts';
import { demoPolicy, PAGERDUTY, PEOPLE, STATUSPAGE } from './cast.ts';
import { customerSide, customerViewLines } from './customer-view.ts';
import { StoryDriver } from './driver.ts';
import { draftCustomerReport, renderCustomerMarkdown, reportCustomers } from '../../domain/report/index.ts';
import { computeFigures, figureLines, type DemoFigures } from './figures.ts';
import { LiveLog } from './live-log.ts';
import { playStory } from './story.ts';
import { StoryClock } from './story-clock.ts';
import type { LoggedEvent } from './timeline-lines.ts';
import { startWorld, type DemoWorld } from './world.ts';
/** How far apart Kranz spaces its Statuspage calls in the demo (its customers extension is started with it). */
export { DEMO_STATUSPAGE_INTERVAL_MS } from './world.ts';

/** Options for {@link runDemo}. */
export interface RunDemoOptions {
  /** Receives each line of the live log (no trailing newline). */
  out: (line: string) => void;
  /**
   * Starts Kranz, and the extensions to start it with (PagerDuty and reminders
   * for the story). Passed in by the caller, so the sandbox depends on the
   * runtime contract and never on the composition root.
   */
  start: StartKranz;
  extensions: KranzExtension[];
  /** Kranz's data dir for the demo; wiped at the start. Default `./.kranz/demo`. */
  dataDir?: string;
  /**
   * Simulated minutes per real second while the story pauses between steps,
   * so a person can follow along. Default 10; `Infinity` runs without pauses.
   */
  speed?: number;
  /** Where the drafted report is written. Default `./kranz-report-INC-<n>.md`. */
  reportPath?: string;
  /**
   * After the story, keep everything running with the web view open until
   * this resolves (the CLI waits for Ctrl-C; `kranz demo --exit` passes none
   * and the demo stops at once).
   */
  keepOpen?: (web: DemoWebView) => Promise<void>;
}

/** Where the demo's web view is, and how to sign in to it. */
export interface DemoWebView {
  url: string;
  /** The local Slack's sign-in page. */
  authorizeUrl: string;
  people: { id: string; name: string; role: string }[];
}

/** What the demo did. */
export interface RunDemoResult {
  /** True when the story ran to the end and the report was written. */
  ok: boolean;
  /** Absolute path of the report file; empty when none was written. */
  reportPath: string;
  /** The report Kranz drafted and stored, as Markdown. */
  markdown: string;
  /** The Kranz incident number (INC-n); 0 when none was opened. */
  incidentNumber: number;
  figures: DemoFigures | undefined;
  /** Why the demo failed, when it did. */
  error?: string;
}

/** Default data dir, relative to the working directory. */
export const DEFAULT_DEMO_DATA_DIR = join('.kranz', 'demo');
/** T+0 of the story: 14:00 in Berlin on a Tuesday, fixed so every run tells the same story. */
export const STORY_START = '2026-03-10T13:00:00.000Z';
/** Marks a data dir the demo made, so it never wipes one it did not. */
const MARKER = '.kranz-demo';

/** Runs the demo; never throws (a failure comes back as `ok: false` with the reason, and is printed). */
export async function runDemo(o: RunDemoOptions): Promise<RunDemoResult> {
  const started = Date.now();
  const out = o.out;
  const dataDir = resolve(o.dataDir ?? DEFAULT_DEMO_DATA_DIR);
  const clock = new StoryClock(Date.parse(STORY_START));
  let world: DemoWorld | undefined;
  let starting = false;
  let result: RunDemoResult;
  const warnings: WarningSink = { say: () => undefined, off: false };
  try {
    const policy = demoPolicy();
    intro(out, policy);
    await freshDataDir(dataDir);
    // Until the live log exists, Kranz's warnings go out as they are.
    warnings.say = (text) => out(`            ${text}`);
    starting = true;
    world = await startWorld({ dataDir, clock, policy, log: demoLogger(warnings), start: o.start, extensions: o.extensions, ...(o.keepOpen ? { preferredPort: 3000 } : {}) });
    out(`Started in ${seconds(Date.now() - started)}: embedded PostgreSQL in ${shown(dataDir)}, Slack stand-in at ${world.slack.baseUrl}, PagerDuty stand-in at ${world.pd.url}, Statuspage stand-in at ${world.statusPage.url}, SMTP server at ${world.smtp.url}, Kranz at ${world.kranz.url}.`);
    out('');
    const kranz = world.kranz;
    const log = new LiveLog({ out, clock, slack: world.slack, pd: world.pd, statusPage: world.statusPage, smtp: world.smtp, policy, eventsAfter: (seq) => eventsAfter(kranz, seq) });
    warnings.say = (text) => log.at(text);
    const driver = new StoryDriver({ kranz: world.kranz, slack: world.slack, pd: world.pd, clock, log, speed: o.speed ?? 10 });
    const slack = world.slack;
    const story = await playStory(driver, log, () => [...slack.workspace.channels.values()].find((c) => /^inc-\d+-/.test(c.name))?.id);
    const { number, markdown, events } = await storedReport(world.kranz, story.channelId);
    const figures = computeFigures(events, policy);
    const reportPath = resolve(o.reportPath ?? `kranz-report-INC-${number}.md`);
    await writeFile(reportPath, markdown);
    out('');
    out(`Report: Kranz drafted the INC-${number} report when it was closed; written to ${shown(reportPath)} (${markdown.split('\n').length} lines).`);
    out('Key figures:');
    for (const l of figureLines(figures, policy.customers[0]?.name ?? 'the customer')) out(l);
    const customers: string[] = [];
    for (const customer of reportCustomers(events)) {
      const draft = draftCustomerReport(events, policy, customer);
      if (!draft) continue;
      const path = resolve(dirname(reportPath), `kranz-report-INC-${number}-${customer}.md`);
      await writeFile(path, renderCustomerMarkdown(draft));
      out(`Customer report for ${draft.customer.name}: posted for review in the incident channel, not sent (only the Send button sends it); written to ${shown(path)}.`);
      customers.push(customer);
    }
    const side = customerSide(world.statusPage, world.smtp);
    out(`Customers were told on the status page (${side.pageIncidents} incident, ${side.pageUpdates} updates) and by email (${side.emails} ${side.emails === 1 ? 'email' : 'emails'}), each update after Mara ticked "Publish", the resolution when she resolved:`);
    for (const l of customerViewLines(world.statusPage, world.smtp, { timezone: policy.reportTimezone, pageName: STATUSPAGE.pageName, fromReal: (ms) => clock.fromReal(ms) })) out(l ? `  ${l}` : '');
    out('');
    for (const l of againLines(dataDir, number, customers)) out(l);
    result = { ok: true, reportPath, markdown, incidentNumber: number, figures };
    if (o.keepOpen) {
      const people = Object.values(PEOPLE).map((p) => ({ id: p.id, name: p.real_name, role: p.role }));
      out('');
      out(`The web view is open: ${world.kranz.url}/ (the incident list, INC-${number}'s page and timeline, its reports, analytics).`);
      out(`Sign in: the local Slack's sign-in page opens; choose ${people.map((p) => `${p.name} (${p.role})`).join(', ')}.`);
      out('Press Ctrl-C to stop.');
      // From here the story's clock runs at real speed, so the pages' clocks move.
      clock.run();
      await o.keepOpen({ url: world.kranz.url, authorizeUrl: world.slack.authorizeUrl, people });
    }
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    out('');
    out(`The demo failed: ${msg}`);
    result = { ok: false, reportPath: '', markdown: '', incidentNumber: 0, figures: undefined, error: msg };
  } finally {
    if (world) {
      // Stopping cuts the database's idle connections, which Kranz's pool reports as a warning: expected here, not news.
      warnings.off = true;
      await world.close();
    }
  }
  const stopped = world ? 'Stopped Kranz, the stand-ins and the embedded PostgreSQL' : starting ? 'Stopped what had started' : 'Nothing was started';
  out(`${stopped}. Wall time ${seconds(Date.now() - started)}.`);
  return result;
}

function intro(out: (line: string) => void, policy: Policy): void {
  const sev1 = policy.severities.find((s) => s.key === 'SEV1');
  const acme = policy.customers[0];
  out('Kranz demo: a database outage, from the PagerDuty page to the drafted incident report.');
  out('Everything runs here and offline: an embedded PostgreSQL, local Slack, PagerDuty and Statuspage stand-ins, a local SMTP server, and Kranz itself.');
  out('The clock is simulated: the story\'s 29 minutes take seconds. Times are Europe/Berlin.');
  out(`Policy: SEV1 updates every ${(sev1?.updateCadenceMs ?? 0) / 60_000} min and the customer called within ${(sev1?.customerContactDeadlineMs ?? 0) / 60_000} min; ` +
    `${acme?.name ?? 'the customer'} (main contact ${acme?.mainContact.name ?? '?'}, ${acme?.mainContact.phone ?? '?'}), SLA ${acme?.sla.targetPercent ?? '?'} % monthly; ` +
    `PagerDuty service "${PAGERDUTY.serviceName}" opens incidents by itself, P1 → SEV1.`);
}

/**
 * Makes `dir` an empty demo data dir. It is wiped on every run, so it must be
 * one the demo made (or an empty one): never the working directory, `./.kranz`
 * itself, a home or a root directory, or a directory holding something else.
 */
async function freshDataDir(dir: string): Promise<void> {
  const guarded = [resolve('.'), resolve('.kranz'), parse(dir).root, homedir()];
  if (guarded.includes(dir)) throw new Error(`Refusing to use ${dir} as the demo's data dir: the demo wipes it on every run.`);
  const entries = await readdir(dir).catch(() => undefined);
  if (entries && entries.length > 0 && !entries.includes(MARKER)) {
    throw new Error(`Refusing to wipe ${dir}: it is not empty and the demo did not make it (no ${MARKER} file). Choose another data dir.`);
  }
  await rm(dir, { recursive: true, force: true });
  // World-enterable parents: run as root, the embedded PostgreSQL runs as user "postgres" and must reach its cluster.
  await mkdir(dirname(dir), { recursive: true, mode: 0o755 });
  await mkdir(dir, { mode: 0o700 });
  await writeFile(join(dir, MARKER), 'Made by `kranz demo`, which wipes it at the start of every run.\n');
}

/** The report Kranz stored when the incident was closed, with the incident's events. */
async function storedReport(kranz: Kranz, channelId: string): Promise<{ number: number; markdown: string; events: IncidentEvent[] }> {
  const events = await kranz.deps.store.transaction(async (u) => {
    const id = await u.incidents.findIncidentIdByChannel(channelId);
    return id ? u.events.loadEvents(id) : [];
  });
  const row = await latestReport(kranz.activity, channelId);
  if (!row) throw new Error('Kranz stored no report for the incident after it was closed');
  return { number: row.number, markdown: row.markdown, events };
}

/** Incident events stored after `seq`, for the live log. */
function eventsAfter(kranz: Kranz, seq: number): Promise<LoggedEvent[]> {
  return activitySince(kranz.activity, seq);
}

/**
 * Warnings the demo does not pass on. The story jumps the clock past a due
 * reminder on purpose, which the scheduler reads as having fallen behind.
 */
const EXPECTED_WARNINGS = new Set([
  'reminders are running late',
  // On a busy machine a tick can outlast the simulated clock's jump to the next one; the next tick catches up.
  'previous tick still running; skipping this one',
]);

/** Where Kranz's warnings go; `off` once the demo is stopping. */
interface WarningSink {
  say(text: string): void;
  off: boolean;
}

/**
 * Kranz's own logger, at warn: what it warns about shows up in the live log
 * as one readable line instead of JSON.
 */
function demoLogger(sink: WarningSink): Logger {
  return pino({ level: 'warn', redact: { paths: [...redactPaths], censor: '[redacted]' } }, {
    write(line: string): void {
      if (sink.off) return;
      let rec: { msg?: string; err?: { message?: string }; error?: string; op?: string };
      try {
        rec = JSON.parse(line) as typeof rec;
      } catch {
        sink.say(`Kranz warns: ${line.trim()}`);
        return;
      }
      if (EXPECTED_WARNINGS.has(rec.msg ?? '')) return;
      if (rec.msg === 'delivery failed; will retry') {
        sink.say(`Kranz  will retry "${rec.op ?? 'a delivery'}" in a moment: ${rec.error ?? 'it failed'}`);
        return;
      }
      const why = rec.err?.message ?? rec.error;
      sink.say(`Kranz warns: ${rec.msg ?? ''}${why ? `: ${why}` : ''}`);
    },
  });
}

/**
 * The commands that show the demo's incident and report again: its database
 * stays in the demo's data dir (until the next demo), not in ./.kranz.
 */
export function againLines(dataDir: string, number: number, customers: readonly string[] = []): string[] {
  const dir = shellWord(shown(dataDir));
  return [
    `The demo's database stays in ${shown(dataDir)} until the next demo. To see the incident, its report and ${customers.length ? 'its customer report' : 'more'} again (--format html for a printable page):`,
    `  KRANZ_DATA_DIR=${dir} kranz list --all`,
    `  KRANZ_DATA_DIR=${dir} kranz report INC-${number}`,
    ...customers.map((c) => `  KRANZ_DATA_DIR=${dir} kranz report INC-${number} --customer ${shellWord(c)}`),
    `(without "npm link": KRANZ_DATA_DIR=${dir} npm run --silent kranz -- report INC-${number}${customers[0] ? ` --customer ${shellWord(customers[0])}` : ''})`,
  ];
}

/** A path as one shell word. */
function shellWord(s: string): string {
  return /^[\w./@%+=:,-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** A path as short as it can be said from the working directory. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? `./${rel}` : path;
}
