/**
 * The `permissions` section: safe defaults when it is absent, each rule set
 * replacing only its own action's default, and mistakes that name the key
 * and line (a misspelt audience, a name where an id belongs, an action that
 * does not exist, a rule for declare that names incident roles).
 */
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/config/load-policy.ts';
import { DEFAULT_POLICY } from '../../src/domain/default-policy.ts';
import { DEFAULT_PERMISSIONS } from '../../src/domain/permissions.ts';
import { permissionsPolicy } from '../../src/domain/policy.ts';
import { demoPolicy } from '../../src/sandbox/demo/cast.ts';

const errorsOf = (yaml: string): string[] => {
  const r = parsePolicy(yaml);
  return r.ok ? [] : r.errors.map((e) => `${e.line} ${e.path}: ${e.message}`);
};

describe('permissions policy', () => {
  it('defaults: steering for the commander, role holders and admins; contributing for the channel; declaring for everyone', () => {
    const p = permissionsPolicy(DEFAULT_POLICY);
    expect(p.admins).toEqual([]);
    for (const a of ['resolve', 'close', 'reopen', 'change_severity', 'assign_commander', 'page', 'link_pagerduty', 'send_customer_report'] as const) {
      expect(p.allow[a], a).toEqual(['commander', 'role_holders', 'admins']);
    }
    for (const a of ['add_note', 'add_timeline_entry', 'post_status_update', 'update_checklist', 'snooze_reminder'] as const) expect(p.allow[a], a).toEqual(['channel_members', 'commander', 'role_holders', 'admins']);
    expect(p.allow.declare).toEqual(['everyone']);
    // A file without the section keeps them.
    const r = parsePolicy('default_severity: SEV2\n');
    expect(r.ok && permissionsPolicy(r.policy)).toEqual(DEFAULT_PERMISSIONS);
  });

  it('reads admins (people and user groups) and replaces only the rules it sets', () => {
    const r = parsePolicy(`permissions:
  admins: [S0INCMGRS1, U0MARA0001, S0INCMGRS1]
  allow:
    page: [commander, role_holders, admins, S0ONCALL01]
    close: [commander]
    snooze_reminder: [commander, admins]
`);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    const p = permissionsPolicy(r.policy);
    expect(p.admins).toEqual(['S0INCMGRS1', 'U0MARA0001']);
    expect(p.allow.page).toEqual(['commander', 'role_holders', 'admins', 'S0ONCALL01']);
    expect(p.allow.close).toEqual(['commander']);
    expect(p.allow.snooze_reminder).toEqual(['commander', 'admins']);
    expect(p.allow.resolve).toEqual(DEFAULT_PERMISSIONS.allow.resolve);
  });

  it('names the key and line of each mistake', () => {
    const errors = errorsOf(`permissions:
  admins: ["@dana", U0MARA0001]
  allow:
    resolve: [comander, admins]
    resolved: [everyone]
    declare: [commander]
    add_note: channel_members
`);
    expect(errors).toEqual(expect.arrayContaining([
      expect.stringMatching(/^2 permissions\.admins\[0\]: must be a Slack user id \(U…/),
      expect.stringMatching(/^4 permissions\.allow\.resolve\[0\]: "comander" is not someone a rule can name \(did you mean "commander"\?\)$/),
      expect.stringMatching(/^5 permissions\.allow\.resolved: unknown key "resolved" \(did you mean "resolve"\?\)/),
      expect.stringMatching(/^6 permissions\.allow\.declare\[0\]: "commander" means nothing before the incident exists/),
      expect.stringMatching(/^7 permissions\.allow\.add_note: must be a list/),
    ]));
    expect(errors).toHaveLength(5);
  });

  it('the demo policy shows the section: an incident managers\' user group as admins', () => {
    const p = permissionsPolicy(demoPolicy());
    expect(p.admins).toEqual(['S0INCMGRS1']);
    expect(p.allow.send_customer_report).toEqual(['commander', 'role_holders', 'admins']);
  });
});
