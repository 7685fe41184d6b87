/**
 * `unlink_pagerduty`, the command `/incident unlink` gives: a person undoes a
 * link (made by hand, or when PagerDuty's trigger opened the incident). Only a
 * PagerDuty incident linked to this one can be unlinked; the event takes the
 * link's number, so the report and the web view name it as they named the
 * link; it is the same steering decision as linking.
 */
import { describe, expect, it } from 'vitest';
import type { Command } from '../../src/domain/commands.ts';
import { asPdIncidentId, asSlackUserId } from '../../src/domain/ids.ts';
import { actionOf } from '../../src/domain/permissions.ts';
import { draftReport } from '../../src/domain/report/index.ts';
import { transition } from '../../src/domain/transition.ts';
import { describeEvent } from '../../src/web/pages/words.ts';
import { errorText } from '../../src/adapters/slack/strings/errors.ts';
import { pagerDutyUnlinkedText } from '../../src/adapters/slack/strings/messages.ts';
import { T0, declare, envFor, run, testPolicy } from '../helpers/domain.ts';

const PD = asPdIncidentId('PABC123');
const COMMANDER = asSlackUserId('UCOMMANDER');
const MEMBER = asSlackUserId('UMEMBER');
const unlink = (pdIncidentId = PD): Command => ({ type: 'unlink_pagerduty', pdIncidentId });
const base = run([declare({ commanderId: COMMANDER }), { type: 'member_joined', userId: MEMBER }]);
const linked = run([{ type: 'link_pagerduty', pdIncidentId: PD, pdIncidentNumber: 1234 }], base);

describe('unlink_pagerduty', () => {
  it('drops the link from the incident, records it with the number, refreshes the summary and tells the channel who unlinked it', () => {
    const r = transition(linked, unlink(), T0, envFor());
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    expect(r.value.events.map((e) => [e.type, e.data])).toEqual([['pagerduty_unlinked', { pdIncidentId: PD, pdIncidentNumber: 1234 }]]);
    expect(r.value.state?.pagerDutyIncidents).toEqual([]);
    expect(r.value.effects).toEqual([
      { kind: 'slack.refresh_slot', slot: 'summary' },
      { kind: 'slack.post', to: { kind: 'incident' }, message: { template: 'pagerduty_unlinked', pdIncidentId: PD, pdIncidentNumber: 1234, by: COMMANDER } },
    ]);
    // Worded on the web view and in the report's timeline.
    expect(describeEvent(r.value.events[0]!)).toBe('Unlinked from PagerDuty incident 1234');
  });

  it('unlinks one PagerDuty opened the incident with, and leaves the others linked', () => {
    const paged = run([declare({ pagerDuty: { pdIncidentId: PD } }), { type: 'link_pagerduty', pdIncidentId: asPdIncidentId('PXYZ789') }]);
    const r = transition(paged, unlink(), T0, envFor());
    expect(r.ok && r.value.events[0]?.data).toEqual({ pdIncidentId: PD });
    expect(r.ok && r.value.state?.pagerDutyIncidents.map((p) => p.id)).toEqual(['PXYZ789']);
  });

  it('names it in the notice as the link knew it: with its URL when known, by id alone when not, without `by` when no person unlinked it', () => {
    const url = 'https://acme.pagerduty.com/incidents/PABC123';
    const withUrl = transition(run([{ type: 'link_pagerduty', pdIncidentId: PD, pdIncidentNumber: 1234, url }], base), unlink(), T0, envFor());
    expect(withUrl.ok && withUrl.value.effects[1]).toEqual({ kind: 'slack.post', to: { kind: 'incident' }, message: { template: 'pagerduty_unlinked', pdIncidentId: PD, pdIncidentNumber: 1234, url, by: COMMANDER } });
    const byId = transition(run([{ type: 'link_pagerduty', pdIncidentId: PD }], base), unlink(), T0, envFor({ actor: { kind: 'kranz' } }));
    expect(byId.ok && byId.value.effects[1]).toEqual({ kind: 'slack.post', to: { kind: 'incident' }, message: { template: 'pagerduty_unlinked', pdIncidentId: PD } });
  });

  it('refuses one not linked here (never, or not any more), in words', () => {
    const never = transition(base, unlink(), T0, envFor());
    expect(!never.ok && never.error).toEqual({ code: 'pagerduty.not_linked', params: { number: 42, pdIncidentId: PD } });
    expect(!never.ok && errorText(never.error).text).toMatch(/^PagerDuty incident PABC123 is not linked to INC-42, so there is nothing to unlink; nothing changed\./);
    const twice = transition(run([unlink()], linked), unlink(), T0, envFor());
    expect(!twice.ok && twice.error.code).toBe('pagerduty.not_linked');
  });

  it('is the steering decision of linking: a member without a role is refused', () => {
    expect(actionOf(unlink())).toBe('link_pagerduty');
    const r = transition(linked, unlink(), T0, envFor({ actor: { kind: 'user', userId: MEMBER }, access: { channelMember: true } }));
    expect(!r.ok && r.error).toMatchObject({ code: 'permission.denied', params: { action: 'link_pagerduty' } });
  });

  it('is in the report timeline, after the link it undoes', () => {
    const d = transition(undefined, declare({ commanderId: COMMANDER }), T0, envFor());
    if (!d.ok) throw new Error('declare');
    const l = transition(d.value.state, { type: 'link_pagerduty', pdIncidentId: PD, pdIncidentNumber: 1234 }, T0, envFor());
    if (!l.ok) throw new Error('link');
    const u = transition(l.value.state, unlink(), T0, envFor());
    if (!u.ok) throw new Error('unlink');
    const report = draftReport([...d.value.events, ...l.value.events, ...u.value.events], testPolicy);
    expect(report).toContain('PagerDuty incident #1234 linked');
    expect(report).toContain('PagerDuty incident #1234 unlinked: its later events are not recorded here');
  });
});

describe('the channel notice of an unlink', () => {
  const m = { template: 'pagerduty_unlinked' as const, pdIncidentId: PD, pdIncidentNumber: 1234, url: 'https://acme.pagerduty.com/incidents/PABC123', by: COMMANDER };

  it('names who unlinked which PagerDuty incident, linked to PagerDuty, and what stops', () => {
    expect(pagerDutyUnlinkedText(m, 42, true).text).toBe(
      ':link: <@UCOMMANDER> unlinked PagerDuty incident <https://acme.pagerduty.com/incidents/PABC123|#1234> from INC-42: its PagerDuty events no longer show on this timeline, and resolving INC-42 no longer resolves it in PagerDuty.',
    );
    // Resolving here never resolved it there: nothing to say about it.
    expect(pagerDutyUnlinkedText(m, 42, false).text).toBe(
      ':link: <@UCOMMANDER> unlinked PagerDuty incident <https://acme.pagerduty.com/incidents/PABC123|#1234> from INC-42: its PagerDuty events no longer show on this timeline.',
    );
  });

  it('names it by id when the link knew no number, and says nobody when no person unlinked it', () => {
    expect(pagerDutyUnlinkedText({ template: 'pagerduty_unlinked', pdIncidentId: PD }, 42, true).text).toBe(
      ':link: Unlinked PagerDuty incident PABC123 from INC-42: its PagerDuty events no longer show on this timeline, and resolving INC-42 no longer resolves it in PagerDuty.',
    );
  });

  it('shows an odd URL as text, never as a link', () => {
    const text = pagerDutyUnlinkedText({ ...m, url: 'javascript:alert(1)|<!channel>' }, 42, false).text;
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<javascript:');
  });
});
