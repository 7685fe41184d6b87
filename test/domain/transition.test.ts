import { describe, expect, it } from 'vitest';
import type { Command } from '../../src/domain/commands.ts';
import type { DomainErrorCode } from '../../src/domain/errors.ts';
import { project } from '../../src/domain/incident.ts';
import { callItemId, isCallItem } from '../../src/domain/call-items.ts';
import { transition } from '../../src/domain/transition.ts';
import { channelName } from '../../src/domain/channel-name.ts';
import { errorText } from '../../src/adapters/slack/strings/errors.ts';
import { T0, at, declare, envFor, run, testPolicy } from '../helpers/domain.ts';
import { asPdIncidentId, asPdServiceId, asSlackUserId } from '../../src/domain/ids.ts';

describe('transition: declare', () => {
  it('declares with the customer call first, due by the severity deadline', () => {
    const r = transition(undefined, declare(), T0, envFor());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const [e] = r.value.events;
    expect(e?.type).toBe('declared');
    const s = r.value.state!;
    expect(s.number).toBe(42);
    expect(s.status).toBe('investigating');
    expect(s.roles.commander).toBe('UCOMMANDER');
    expect(s.checklist[0]?.id).toBe(callItemId('acme'));
    expect(s.checklist[0]?.customer).toBe('acme');
    expect(s.checklist[0]?.title).toBe("Call the customer's main contact (Acme Corp: Dana Reyes (+1 555 0100))");
    expect(s.checklist[0]?.dueAt).toBe(at(10).toISOString()); // SEV1: 10 min
    expect(r.value.effects.map((f) => f.kind)).toEqual([
      'slack.create_channel', 'slack.set_topic', 'slack.post_slot', 'slack.post_slot', 'slack.post',
    ]);
    const create = r.value.effects[0];
    expect(create?.kind === 'slack.create_channel' && create.name).toBe('inc-42-checkout-api-returns-500s');
  });

  it('puts no customer call first for a severity that is not customer-impacting', () => {
    const s = run([declare({ severity: 'sev4' })]);
    expect(s.severity).toBe('SEV4');
    expect(s.checklist.some(isCallItem)).toBe(false);
  });

  it('does not announce private incidents', () => {
    const r = transition(undefined, declare({ private: true }), T0, envFor());
    expect(r.ok && r.value.effects.some((f) => f.kind === 'slack.post')).toBe(false);
  });

  it('links the PagerDuty incident and invites its on-call', () => {
    const r = transition(undefined, declare({ pagerDuty: { pdIncidentId: asPdIncidentId('PT4KHLK'), serviceId: asPdServiceId('PSVC') } }), T0, envFor({ actor: { kind: 'pagerduty' } }));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.events.map((e) => e.type)).toEqual(['declared', 'pagerduty_linked']);
    expect(r.value.events[1]?.idempotencyKey).toMatch(/#2$/);
    expect(r.value.state?.times.acknowledgedAt).toBeUndefined();
    expect(r.value.effects.some((f) => f.kind === 'pagerduty.invite_oncall')).toBe(true);
  });
});

describe('transition: invalid commands are typed errors, never throws', () => {
  const base = run([declare()]);
  const closed = run([{ type: 'resolve' }, { type: 'close' }], base);
  const cases: [string, Command, typeof base | undefined, DomainErrorCode, string][] = [
    ['closing a closed incident', { type: 'close' }, closed, 'incident.closed', 'INC-42 is closed. Reopen it with `/incident reopen` first.'],
    ['closing an unresolved incident', { type: 'close' }, base, 'incident.not_resolved', 'INC-42 is not resolved yet. Run `/incident resolve` first.'],
    ['an unknown severity', { type: 'change_severity', severity: 'SEV9' }, base, 'severity.unknown', 'Unknown severity "SEV9". Use one of SEV1, SEV2, SEV3, SEV4.'],
    ['the same severity', { type: 'change_severity', severity: 'SEV1' }, base, 'severity.unchanged', 'INC-42 is already SEV1.'],
    ['declaring with an unknown severity', declare({ severity: 'P0' }), undefined, 'severity.unknown', 'Unknown severity "P0". Use one of SEV1, SEV2, SEV3, SEV4.'],
    ['declaring twice', declare(), base, 'incident.already_declared', 'INC-42 is already declared.'],
    ['a role for a non-member', { type: 'assign_role', role: 'scribe', userId: asSlackUserId('USTRANGER') }, base, 'role.not_member', '<@USTRANGER> is not in this incident channel yet. Invite them first, then assign the role.'],
    ['an unknown role', { type: 'assign_role', role: 'janitor', userId: asSlackUserId('UCOMMANDER') }, base, 'role.unknown', 'Unknown role "janitor". Roles: commander, customer-liaison, scribe, communications, subject-expert.'],
    ['a command before declare', { type: 'resolve' }, undefined, 'incident.not_declared', 'No incident here. Declare one with `/incident declare`.'],
    ['an unknown checklist item', { type: 'check_item', itemId: 'nope' }, base, 'checklist.unknown_item', 'There is no checklist item "nope".'],
    ['an empty status update', { type: 'post_status_update', summary: '  ' }, base, 'input.empty', 'The summary cannot be empty.'],
    ['resolving twice', { type: 'resolve' }, run([{ type: 'resolve' }], base), 'incident.already_resolved', 'INC-42 is already resolved. Close it with `/incident close`.'],
    ['reopening an open incident', { type: 'reopen' }, base, 'incident.not_closed', 'INC-42 is still open.'],
    ['setting status closed by hand', { type: 'set_status', status: 'closed' }, base, 'status.invalid', 'Status must be one of investigating, identified, monitoring; use `resolve` or `close` for the rest.'],
    ['an unknown customer', declare({ customers: ['initech'] }), undefined, 'customer.unknown', 'Unknown customer "initech". Known: acme.'],
    ['a status update on a closed incident', { type: 'post_status_update', summary: 'x' }, closed, 'incident.closed', 'INC-42 is closed. Reopen it with `/incident reopen` first.'],
    ['flagging a message whose note was deleted', { type: 'add_note', text: 'x', via: 'pin', messageTs: '9.9' }, run([{ type: 'add_note', text: 'x', via: 'reaction', messageTs: '9.9' }, { type: 'delete_message', messageTs: '9.9' }], base),
      'note.message_deleted', 'That message was deleted in Slack, so it is not added to the incident timeline.'],
  ];
  it.each(cases)('%s', (_name, command, state, code, text) => {
    const r = transition(state, command, T0, envFor());
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe(code);
    // The domain gives the code and its facts; the Slack adapter puts them in words.
    expect(errorText(r.error).text).toBe(text);
  });
});

describe('transition: lifecycle', () => {
  it('tracks key times, status updates, notes and actions through close', () => {
    let s = run([declare()]);
    s = run([{ type: 'record_customer_contact', details: 'Called Dana; she confirmed checkout failures' }], s, at(7));
    expect(s.times.customerContactedAt).toBe(at(7).toISOString());
    expect(s.checklist.find((i) => i.id === callItemId('acme'))?.doneAt).toBe(at(7).toISOString());
    const up = transition(s, { type: 'post_status_update', status: 'identified', summary: 'Bad deploy identified' }, at(12), envFor());
    expect(up.ok).toBe(true);
    if (!up.ok) return;
    s = up.value.state!;
    expect(s.nextUpdateDueAt).toBe(at(32).toISOString()); // SEV1 cadence 20m
    expect(s.checklist.find((i) => i.id === 'first-update')?.doneAt).toBe(at(12).toISOString());
    expect(up.value.events.map((e) => e.type)).toEqual(['status_update_posted', 'checklist_item_done']);
    // Relayed to the customer's channel and stakeholders, mirrored to nothing (no PD link).
    const posts = up.value.effects.filter((f) => f.kind === 'slack.post');
    expect(posts.map((p) => p.kind === 'slack.post' && p.to)).toEqual([{ kind: 'incident' }, { kind: 'channel', id: 'CACME' }, { kind: 'channel', id: 'CSTAKE' }]);
    s = run([{ type: 'set_status', status: 'monitoring' }], s, at(20));
    expect(s.times.mitigatedAt).toBe(at(20).toISOString());
    s = run([{ type: 'add_note', text: 'rollback done', via: 'reaction', messageTs: '1.1' }], s, at(21));
    s = run([{ type: 'edit_message', messageTs: '1.1', text: 'rollback done on all pods' }], s, at(22));
    expect(s.notes[0]?.text).toBe('rollback done on all pods');
    // A note typed as a command is in the log, not in the state every command reads and writes whole.
    const typed = run([{ type: 'add_note', text: 'pods restarted', via: 'command' }], s, at(23));
    expect(typed.notes).toEqual(s.notes);
    expect(typed.eventCount).toBe(s.eventCount + 1);
    s = run([{ type: 'resolve' }, { type: 'record_root_cause', text: 'config push' }, { type: 'add_action_item', kind: 'prevent', text: 'canary' }, { type: 'close' }], s, at(28));
    expect(s.status).toBe('closed');
    expect(s.times.resolvedAt).toBe(at(28).toISOString());
    expect(s.rootCause).toBe('config push');
    const reopened = run([{ type: 'reopen', reason: 'errors are back' }], s, at(40));
    expect(reopened.status).toBe('investigating');
    expect(reopened.times.resolvedAt).toBeUndefined();
  });

  it('a note on an already-flagged message is not recorded twice', () => {
    const s = run([declare(), { type: 'add_note', text: 'x', via: 'pin', messageTs: '9.9' }]);
    const r = transition(s, { type: 'add_note', text: 'x', via: 'reaction', messageTs: '9.9' }, T0, envFor());
    expect(r.ok && r.value.events.length).toBe(0);
  });

  it('replaying the events gives the same state as the transitions', () => {
    const env = envFor();
    const events = [];
    let s;
    for (const c of [declare(), { type: 'set_status', status: 'identified' }, { type: 'resolve' }] as Command[]) {
      const r = transition(s, c, T0, { ...env, idempotencyKey: `${c.type}` });
      if (!r.ok) throw new Error(errorText(r.error).text);
      events.push(...r.value.events);
      s = r.value.state;
    }
    expect(project(events)).toEqual(s);
  });
});

describe('channel names', () => {
  it('fits a 120-character title into 80 valid characters, with room for a suffix', () => {
    const title = 'Ünïcode & Emoji 🚨 — ' + 'very long title '.repeat(7);
    const name = channelName(testPolicy, { number: 1234, title, severity: 'SEV1' }, T0);
    expect(name.length).toBeLessThanOrEqual(80);
    expect(name).toMatch(/^[a-z0-9][a-z0-9_-]*$/);
    const suffixed = channelName(testPolicy, { number: 1234, title, severity: 'SEV1' }, T0, 3);
    expect(suffixed.length).toBeLessThanOrEqual(80);
    expect(suffixed.endsWith('-3')).toBe(true);
  });
});
