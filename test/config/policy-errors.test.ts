import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatConfigIssues } from '../../src/config/issues.ts';
import type { ConfigIssue } from '../../src/config/issues.ts';
import { loadPolicy, parsePolicy } from '../../src/config/load-policy.ts';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/config/${name}`, import.meta.url));

function issuesOf(yaml: string): ConfigIssue[] {
  const r = parsePolicy(yaml);
  expect(r.ok).toBe(false);
  return r.ok ? [] : r.errors;
}

function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  expect(i, `"${needle}" in the YAML`).toBeGreaterThanOrEqual(0);
  return i + 1;
}

function columnOf(text: string, needle: string, within: string): number {
  const line = text.split('\n')[lineOf(text, within) - 1] ?? '';
  return line.indexOf(needle) + 1;
}

function issueFor(issues: readonly ConfigIssue[], path: string): ConfigIssue {
  const hit = issues.find((i) => i.path === path);
  expect(hit, `an issue for ${path} among ${JSON.stringify(issues)}`).toBeDefined();
  return hit as ConfigIssue;
}

describe('each kind of mistake names the key and its line', () => {
  it('a bad duration', () => {
    const yaml = 'severities:\n  SEV1:\n    label: Critical\n    update_cadence: fast\n';
    const issues = issuesOf(yaml);
    expect(issues).toEqual([{ path: 'severities.SEV1.update_cadence', message: '"fast" is not a duration (use 30s, 15m, 2h)', line: 4, column: 21 }]);
    expect(formatConfigIssues(issues, 'kranz.yml')).toBe('kranz.yml:4:21 severities.SEV1.update_cadence: "fast" is not a duration (use 30s, 15m, 2h)');
  });

  it('a bare number where a duration belongs', () => {
    const issue = issueFor(issuesOf('reminders:\n  no_activity: 30\n'), 'reminders.no_activity');
    expect(issue).toMatchObject({ line: 2, message: '30 is not a duration (use 30s, 15m, 2h)' });
  });

  it('an unknown severity in a PagerDuty mapping', () => {
    const yaml = `pagerduty:
  services:
    - id: PCHKOUT
      severity_by_priority:
        P1: SEV1
        P2: SEV7
      severity_by_urgency: { high: SEV2, low: SEVV4 }
`;
    const issues = issuesOf(yaml);
    expect(issueFor(issues, 'pagerduty.services[0].severity_by_priority.P2')).toMatchObject({
      line: lineOf(yaml, 'P2: SEV7'),
      column: columnOf(yaml, 'SEV7', 'P2: SEV7'),
      message: 'unknown severity "SEV7" (known: SEV1, SEV2, SEV3, SEV4)',
    });
    expect(issueFor(issues, 'pagerduty.services[0].severity_by_urgency.low').message).toContain('(did you mean "SEV4"?)');
    expect(issues).toHaveLength(2);
  });

  it('an unknown default_severity', () => {
    const issue = issueFor(issuesOf('default_severity: SEV0\n'), 'default_severity');
    expect(issue).toMatchObject({ line: 1, column: 19 });
    expect(issue.message).toMatch(/unknown severity "SEV0"/);
  });

  it('an unknown key, with a suggestion, pointing at the key', () => {
    const yaml = 'severities:\n  SEV2:\n    updateCadence: 10m\ncustomer:\n  - name: Acme\n';
    const issues = issuesOf(yaml);
    expect(issueFor(issues, 'severities.SEV2.updateCadence')).toEqual({
      path: 'severities.SEV2.updateCadence',
      message: 'unknown key "updateCadence" (did you mean "update_cadence"?)',
      line: 3,
      column: 5,
    });
    expect(issueFor(issues, 'customer')).toMatchObject({ line: 4, column: 1, message: 'unknown key "customer" (did you mean "customers"?)' });
  });

  it('a real key in the wrong place says where it belongs', () => {
    const issue = issueFor(issuesOf('update_cadence: 10m\n'), 'update_cadence');
    expect(issue.message).toBe('unknown key "update_cadence" here (it belongs under severities.<key>)');
  });

  it('a key that resembles nothing lists what is allowed', () => {
    const issue = issueFor(issuesOf('reminders:\n  zzz: 1\n'), 'reminders.zzz');
    expect(issue.message).toBe('unknown key "zzz" (allowed: no_activity, resolved_not_closed, escalation_target)');
  });

  it('wrong types', () => {
    const yaml = 'archive_on_close: "yes"\ncustomers:\n  name: Acme\nreminders: 5\nstakeholder_channel:\n';
    const issues = issuesOf(yaml);
    expect(issueFor(issues, 'archive_on_close')).toMatchObject({ line: 1, message: 'must be true or false, not "yes"' });
    expect(issueFor(issues, 'customers')).toMatchObject({ line: 3, message: 'must be a list (- item), not a mapping' });
    expect(issueFor(issues, 'reminders')).toMatchObject({ line: 4, message: 'must be a mapping (key: value), not 5' });
    expect(issueFor(issues, 'stakeholder_channel')).toMatchObject({ line: 5, message: expect.stringContaining('has no value') });
  });

  it('a value outside its set, with a suggestion', () => {
    const issue = issueFor(issuesOf('pagerduty:\n  mirror_updates_as: notes\n'), 'pagerduty.mirror_updates_as');
    expect(issue).toMatchObject({ line: 2, message: '"notes" is not one of note, status_update, none (did you mean "note"?)' });
  });

  it('a YAML syntax error', async () => {
    const r = await loadPolicy(fixture('syntax-error.yml'));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors[0]).toMatchObject({ path: '', line: 4 });
    expect(r.errors[0]?.message).toMatch(/^YAML syntax error: /);
    expect(formatConfigIssues(r.errors, 'kranz.yml')).toMatch(/^kranz\.yml:4:\d+ YAML syntax error: /);
  });

  it('a duplicated key is a syntax error, not a silent override', () => {
    const yaml = 'archive_on_close: true\nreport_timezone: UTC\narchive_on_close: false\n';
    expect(issuesOf(yaml)[0]).toMatchObject({ line: 3, message: expect.stringMatching(/unique/i) });
  });

  it('a bad time zone', () => {
    const issues = issuesOf('report_timezone: Europe/Berln\n');
    expect(issues).toEqual([{ path: 'report_timezone', line: 1, column: 18, message: '"Europe/Berln" is not a time zone (did you mean "Europe/Berlin"?)' }]);
  });

  it('a channel_name_template without {number}', () => {
    const issues = issuesOf('report_timezone: UTC\nchannel_name_template: "incident-{title}"\n');
    expect(issues).toEqual([
      { path: 'channel_name_template', line: 2, column: 24, message: '"incident-{title}" must contain {number} so every incident channel name is unique' },
    ]);
    expect(issueFor(issuesOf('channel_name_template: ""\n'), 'channel_name_template').message).toMatch(/must not be empty/);
    expect(issueFor(issuesOf('channel_name_template: "inc-{number}-{titel}"\n'), 'channel_name_template').message).toMatch(/unknown placeholder \{titel\} \(did you mean "title"\?\)/);
  });

  it('a missing required key points at its parent', () => {
    const yaml = 'customers:\n  - name: Acme\n    sla: { target: 99.9 }\n';
    const issue = issueFor(issuesOf(yaml), 'customers[0].main_contact');
    expect(issue).toMatchObject({ line: 2, message: 'is required (a mapping (key: value))' });
  });

  it('a new severity without its required keys', () => {
    const yaml = 'severities:\n  SEV5:\n    label: Cosmetic\n';
    const issues = issuesOf(yaml);
    expect(issues.map((i) => [i.path, i.line])).toEqual([
      ['severities.SEV5.customer_contact_deadline', 2],
      ['severities.SEV5.update_cadence', 2],
    ]);
  });

  it('an unknown customer on a service and duplicate ids', () => {
    const yaml = `customers:
  - { id: acme, name: Acme Corp, main_contact: { name: Jane }, sla: { target: 99.9 } }
  - { id: acme, name: Acme Again, main_contact: { name: Joe }, sla: { target: 99.9 } }
pagerduty:
  services:
    - { id: PCHKOUT, customers: [acme, acme-crop] }
    - { id: PCHKOUT }
`;
    const issues = issuesOf(yaml);
    expect(issueFor(issues, 'customers[1].id')).toMatchObject({ line: 3, message: 'duplicate customer id "acme" (also customers[0])' });
    expect(issueFor(issues, 'pagerduty.services[0].customers[1]')).toMatchObject({ line: 6, message: expect.stringContaining('unknown customer "acme-crop"') });
    expect(issueFor(issues, 'pagerduty.services[1].id')).toMatchObject({ line: 7 });
  });

  it('bad percentages, clock times, ids and reserved checklist ids', () => {
    const yaml = `severities:
  SEV1:
    quiet_hours: { start: "25:00", end: "07:00" }
    checklist:
      - { id: call-customer, title: Call them }
customers:
  - name: Acme
    main_contact: { name: Jane, email: jane-at-acme }
    slack_channel: "#acme"
    sla: { target: lots }
`;
    const issues = issuesOf(yaml);
    expect(issueFor(issues, 'severities.SEV1.quiet_hours.start').message).toMatch(/"25:00" is not a time of day/);
    expect(issueFor(issues, 'severities.SEV1.checklist[0].id').message).toMatch(/reserved/);
    expect(issueFor(issues, 'customers[0].main_contact.email').line).toBe(8);
    expect(issueFor(issues, 'customers[0].slack_channel').message).toMatch(/Slack channel id/);
    expect(issueFor(issues, 'customers[0].sla.target')).toMatchObject({ line: 10, message: '"lots" is not a percentage (use 99.9 or "99.9%")' });
  });

  it('a malformed severity name is reported once, at the name', () => {
    expect(issuesOf('severities:\n  "SEV 1": { label: x }\n')).toEqual([
      { path: 'severities.SEV 1', line: 2, column: 3, message: '"SEV 1": severity names use letters, digits, - and _ (e.g. SEV1)' },
    ]);
  });

  it('disabling severities the rest of the file relies on', () => {
    expect(issueFor(issuesOf('severities:\n  SEV2: { enabled: false }\n'), 'default_severity').message).toBe(
      'is required: the built-in default SEV2 is disabled (known: SEV1, SEV3, SEV4)',
    );
    const all = 'severities:\n' + ['SEV1', 'SEV2', 'SEV3', 'SEV4'].map((k) => `  ${k}: { enabled: false }\n`).join('');
    expect(issuesOf(all)).toEqual([{ path: 'severities', line: 2, column: 3, message: 'every severity is disabled; keep at least one' }]);
  });

  it('more than one YAML document', () => {
    expect(issuesOf('report_timezone: UTC\n---\narchive_on_close: true\n')).toEqual([
      { path: '', line: 2, column: 1, message: 'YAML syntax error: the file must hold one YAML document (remove the extra "---")' },
    ]);
  });

  it('a file that is not a mapping', () => {
    expect(issuesOf('- SEV1\n- SEV2\n')).toEqual([{ path: '', line: 1, column: 1, message: 'the file must be a mapping of keys (like "severities:"), not a list' }]);
  });
});

describe('several problems', () => {
  it('are all reported at once, in file order, each with its line', async () => {
    const path = fixture('many-problems.yml');
    const text = readFileSync(path, 'utf8');
    const r = await loadPolicy(path);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const expected: [string, string][] = [
      ['severities.SEV1.update_cadence', 'update_cadence: fast'],
      ['severities.SEV1.update_cadance', 'update_cadance: 10m'],
      ['severities.SEV3.quiet_hours.timezone', 'Europe/Berln'],
      ['channel_name_template', 'channel_name_template:'],
      ['archive_on_close', 'archive_on_close:'],
      ['report_timezone', 'report_timezone:'],
      ['pagerduty.services[0].severity_by_priority.P1', 'P1: SEV9'],
      ['pagerduty.services[0].customers[0]', 'customers: [initech]'],
    ];
    expect(r.errors.map((i) => [i.path, i.line])).toEqual(expected.map(([p, needle]) => [p, lineOf(text, needle)]));
    const lines = formatConfigIssues(r.errors, 'many-problems.yml').split('\n');
    expect(lines).toHaveLength(expected.length);
    for (const l of lines) expect(l).toMatch(/^many-problems\.yml:\d+:\d+ \S+: /);
  });
});
