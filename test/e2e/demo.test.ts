/**
 * `kranz demo` end to end: its own embedded PostgreSQL (in a temp data dir),
 * the Slack, PagerDuty and Statuspage stand-ins, the SMTP server and Kranz, the whole story on the
 * accelerated clock, then the report Kranz drafted, the key figures and the
 * live log. Also: the demo never wipes a directory it did not make.
 */
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRuntime } from '../../src/cli/demo.ts';
import { runDemo, type RunDemoResult } from '../../src/sandbox/demo/run-demo.ts';
import { PINNED_MESSAGE } from '../../src/sandbox/demo/story.ts';

let dir: string;
let result: RunDemoResult;
const lines: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kranz-demo-test-'));
  // mkdtemp makes it 0700; run as root, the embedded PostgreSQL (user "postgres") must be able to enter it.
  await chmod(dir, 0o711);
  result = await runDemo({ out: (l) => lines.push(l), ...(await demoRuntime()), dataDir: join(dir, 'data'), reportPath: join(dir, 'report.md'), speed: Infinity });
}, 60_000);
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The lines of the report between `## heading` and the next `## `. */
function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`## ${heading}`);
  if (start < 0) return '';
  const next = markdown.indexOf('\n## ', start + 3);
  return markdown.slice(start, next < 0 ? undefined : next);
}

describe('kranz demo', () => {
  it('writes the customer report and ends by printing the command that shows it', async () => {
    const customer = await readFile(join(dir, 'kranz-report-INC-1-acme.md'), 'utf8');
    for (const h of ['## Summary', '## Resolution and recovery timeline', '## Root cause', '## Corrective and preventive measures']) expect(customer).toContain(h);
    // Acme reads New York time: impact 13:57 → 14:26 Berlin is 08:57 → 09:26 there (five hours behind on the demo's date).
    expect(customer).toContain('**When:** 08:57 – 09:26 (29 minutes)');
    expect(customer).toContain('All times are America/New_York');
    expect(customer).not.toMatch(/<@|U0[A-Z0-9]{6,}|event [0-9a-f]{8}|pagerduty\.com|Mara Okafor|error budget/);
    expect(customer).toContain('no service credit is due');
    expect(lines.join('\n')).toContain('posted for review in the incident channel, not sent');
    const commands = lines.filter((l) => /^ {2}KRANZ_DATA_DIR=\S+ kranz /.test(l)).map((l) => l.trim());
    expect(commands.at(-1)).toBe(`KRANZ_DATA_DIR=${join(dir, 'data')} kranz report INC-1 --customer acme`);
  });

  it('plays the story to the end and writes the report Kranz stored', async () => {
    expect(result.error).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(result.incidentNumber).toBe(1);
    expect(result.reportPath).toBe(join(dir, 'report.md'));
    expect(await readFile(result.reportPath, 'utf8')).toBe(result.markdown);
    for (const s of ['## Summary', '## Resolution and recovery timeline', '## Root cause', '## Corrective and preventive measures']) {
      expect(result.markdown).toContain(s);
    }
    expect(result.markdown).toMatch(/^# INC-1: Database cluster: primary db-1 unreachable, writes failing/);
  });

  it('has the figures the story produces: customer called in time, one reminder, 29 minutes of impact (13:57 as corrected → PagerDuty resolve at 14:26)', () => {
    const f = result.figures;
    expect(f).toBeDefined();
    if (!f) return;
    expect(f.customerContactedInTime).toBe(true);
    expect(f.customerContactMinutes).toBeGreaterThanOrEqual(4);
    expect(f.customerContactMinutes).toBeLessThan(f.customerContactDeadlineMinutes);
    expect(f.customerContactDeadlineMinutes).toBe(10);
    expect(f.updatesSent).toBe(3);
    // Each update went to Acme's channel and the stakeholder channel.
    expect(f.relays).toBe(6);
    expect(f.remindersSent).toBe(1);
    expect(f.reminders).toEqual(['status_update']);
    expect(f.impactMinutes).toBeGreaterThanOrEqual(28.5);
    expect(f.impactMinutes).toBeLessThan(29.5);
    // 29 of the 43.2 minutes a 99.9 % monthly SLA allows, and no service credit yet.
    expect(f.slaBudgetMinutes).toBeCloseTo(43.2, 5);
    expect(f.slaBudgetUsedPercent).toBeGreaterThan(66);
    expect(f.slaBudgetUsedPercent).toBeLessThan(68.5);
    expect(f.serviceCreditPercent).toBe(0);
    expect(f.actions).toEqual({ prevent: 1, failBetter: 1 });
  });

  it('says the same in the report: contact within the deadline, the reminder, the 📌 note, corrected figures, display names, one action of each kind', () => {
    const md = result.markdown;
    const summary = section(md, 'Summary');
    expect(summary).toMatch(/\*\*Customer first contacted:\*\* 14:04, 4m after declaration: within the 10m deadline/);
    expect(summary).toMatch(/\*\*Impact:\*\* 13:57 → 14:26 .*\*\*29m\*\* from impact start to service restored \(start: corrected by Mara Okafor \(was 14:00, PagerDuty trigger \(source time\)\); end: PagerDuty resolve \(source time\)\)/);
    expect(summary).toContain('acknowledged 2m after detection');
    expect(summary).toContain('Commander: Mara Okafor');
    expect(md).not.toMatch(/@U0|<@/);
    expect(summary).toContain('Acme Corp');
    const timeline = section(md, 'Resolution and recovery timeline');
    expect(timeline).toMatch(/\*\*14:23\*\* .*Reminder sent to the incident channel: status update/);
    expect(timeline).toContain(PINNED_MESSAGE);
    expect(timeline).toMatch(/flagged with 📌/);
    expect(timeline).toContain('Failover to db-2 started');
    expect(section(md, 'Root cause')).toContain('WAL archiving had failed silently');
    const measures = section(md, 'Corrective and preventive measures');
    const bullets = (heading: string): string[] => {
      const part = measures.slice(measures.indexOf(`### ${heading}`)).split('\n### ')[0] ?? '';
      return part.split('\n').filter((l) => l.startsWith('- '));
    };
    expect(bullets('Prevent a recurrence')).toHaveLength(1);
    expect(bullets('Fail better')).toHaveLength(1);
  });

  it('prints a readable live log that tells the channel creation and the reminder, with reasons', () => {
    const log = lines.join('\n');
    expect(log).toMatch(/\[14:00 sim\] Kranz → Slack {2}created #inc-1-database-cluster-primary-db-1-unreachable-writes-failing \(PagerDuty #4711 triggered/);
    expect(log).toMatch(/\[14:00 sim\] Kranz → Slack {2}invited Mara and Leo to #inc-1 \(they are on call for Database cluster in PagerDuty\)/);
    expect(log).toMatch(/\[14:04 sim\] Mara \(commander\) → \/incident customer-contacted Called Jane Doe/);
    expect(log).toMatch(/\[14:07 sim\] Kranz → Slack {2}relayed the status update to #acme-shared/);
    expect(log).toMatch(/\[14:23 sim\] Kranz → Slack {2}posted in #inc-1: "Status update overdue by 2 min/);
    expect(log).toMatch(/\[14:13 sim\] Kranz → timeline {2}put Leo's message on the timeline/);
    expect(log).toMatch(/\[14:29 sim\] Kranz → Slack {2}published the drafted report/);
    expect(log).toContain(`written to ${join(dir, 'report.md')}`);
    expect(log).toMatch(/Time to customer contact: 4 min \(deadline 10 min: met\)/);
    expect(log).toMatch(/Stopped Kranz, the stand-ins and the embedded PostgreSQL/);
    // Readable: no JSON log records, and every Kranz action says why.
    expect(lines.filter((l) => l.trimStart().startsWith('{'))).toEqual([]);
    for (const l of lines.filter((x) => / Kranz → (Slack|PagerDuty|Statuspage|email|timeline) {2}/.test(x))) expect(l).toMatch(/\)$/);
  });

  it('shows the status page and the emails: each update published after the tick, the page resolved, the emails one thread', () => {
    const at = (re: RegExp): number => lines.findIndex((l) => re.test(l));
    const all = (re: RegExp): number[] => lines.flatMap((l, i) => (re.test(l) ? [i] : []));
    const ticks = all(/Mara \(commander\) → reviews what customers will get .* and ticks "Publish"/);
    expect(ticks).toHaveLength(3);
    const created = all(/Kranz → Statuspage {2}created the status page incident "Orders cannot be placed" \(investigating; Checkout major outage\): "Our primary database node/);
    const updated = all(/Kranz → Statuspage {2}added an update \((identified|monitoring)\) to the status page incident; Checkout (partial outage|degraded performance): /);
    const resolved = all(/Kranz → Statuspage {2}resolved the status page incident; Checkout operational \(resolving resolves/);
    expect([created.length, updated.length, resolved.length]).toEqual([1, 2, 1]);
    const mails = all(/Kranz → email {2}emailed jane\.doe@acme\.example: "\[INC-1\] Orders cannot be placed"/);
    // Three ticked updates, then the resolution in the same thread.
    expect(mails).toHaveLength(4);
    expect(lines[mails[0]!]).toContain('(the first of the thread)');
    for (const i of mails.slice(1)) expect(lines[i]).toContain('(in reply to the previous one, so it joins the thread)');
    // Each publication follows its tick, and the next tick follows it: an effect is never told before its cause.
    const publications = [created[0]!, ...updated];
    publications.forEach((p, n) => {
      expect(p).toBeGreaterThan(ticks[n]!);
      expect(mails[n]!).toBeGreaterThan(ticks[n]!);
      if (ticks[n + 1] !== undefined) expect(ticks[n + 1]!).toBeGreaterThan(Math.max(p, mails[n]!));
    });
    expect(resolved[0]!).toBeGreaterThan(at(/Mara \(commander\) → \/incident resolve /));
    expect(mails[3]!).toBeGreaterThan(at(/Mara \(commander\) → \/incident resolve /));
    // What the customer saw, printed as they saw it.
    expect(lines).toContain('Customers were told on the status page (1 incident, 4 updates) and by email (4 emails), each update after Mara ticked "Publish", the resolution when she resolved:');
    expect(lines).toContain('    Orders cannot be placed · resolved · Checkout: operational');
    expect(lines).toContainEqual(expect.stringMatching(/^ {4}14:07 {2}investigating Our primary database node is unreachable.*\[Checkout operational → major outage\]$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {4}14:28 {2}resolved +.*\[Checkout degraded performance → operational\]$/));
    expect(lines).toContain('  jane.doe@acme.example\'s inbox: one thread of 4 emails from "Example Shop Status" <status@kranz-demo.test>, "[INC-1] Orders cannot be placed":');
    expect(lines.filter((l) => /^ {4}14:\d\d {2}\[INC-1\] Orders cannot be placed \(in reply to the previous one\)$/.test(l))).toHaveLength(3);
  });

  it('ends with the exact commands that show its incident and report again, and they work', async () => {
    const commands = lines.filter((l) => /^ {2}KRANZ_DATA_DIR=\S+ kranz /.test(l)).map((l) => l.trim());
    expect(commands).toEqual([
      `KRANZ_DATA_DIR=${join(dir, 'data')} kranz list --all`, `KRANZ_DATA_DIR=${join(dir, 'data')} kranz report INC-1`,
      `KRANZ_DATA_DIR=${join(dir, 'data')} kranz report INC-1 --customer acme`,
    ]);
    // Run as printed, with `kranz` being this checkout's CLI (what `npm link` puts on the PATH).
    const run = (line: string): { status: number | null; stdout: string; stderr: string } =>
      spawnSync('sh', ['-c', `kranz() { "${process.execPath}" --import tsx src/cli.ts "$@"; }; ${line}`], { encoding: 'utf8', timeout: 90_000, env: { PATH: process.env['PATH'] ?? '', HOME: tmpdir(), LOG_LEVEL: 'warn' } });
    const list = run(commands[0] ?? '');
    expect({ status: list.status, stderr: list.stderr }).toEqual({ status: 0, stderr: expect.any(String) });
    expect(list.stdout).toMatch(/^INCIDENT +SEVERITY +STATUS +AGE +NEXT UPDATE +TITLE$/m);
    expect(list.stdout).toMatch(/^INC-1 +SEV1 +closed +.* - +Database cluster: primary db-1 unreachable/m);
    const report = run(commands[1] ?? '');
    expect({ status: report.status, stderr: report.stderr }).toEqual({ status: 0, stderr: expect.any(String) });
    expect(report.stdout).toMatch(/^# INC-1: Database cluster: primary db-1 unreachable, writes failing/);
    // The customer report, from the policy snapshot stored with the incident (no KRANZ_CONFIG here).
    const customer = run(commands[2] ?? '');
    expect({ status: customer.status, stderr: customer.stderr }).toEqual({ status: 0, stderr: expect.any(String) });
    expect(customer.stdout).toMatch(/^# Incident report for Acme Corp: /);
    expect(customer.stdout).toContain('**When:** 08:57 – 09:26 (29 minutes)');
  }, 240_000);

  it('refuses to wipe a data dir it did not make, and starts nothing', async () => {
    const foreign = join(dir, 'not-a-demo');
    await mkdir(foreign);
    await writeFile(join(foreign, 'keep.txt'), 'precious');
    const out: string[] = [];
    const r = await runDemo({ out: (l) => out.push(l), ...(await demoRuntime()), dataDir: foreign, reportPath: join(dir, 'never.md') });
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/Refusing to wipe .*not-a-demo/);
    expect(await readFile(join(foreign, 'keep.txt'), 'utf8')).toBe('precious');
    expect(out.join('\n')).toContain('The demo failed: Refusing to wipe');
  });
});
