/**
 * `link_pagerduty`, the command `/incident link` gives: a person links a
 * PagerDuty incident to a Kranz incident. The link is recorded once (a second
 * link of the same one is refused as a no-op, in words), the channel hears
 * who linked what, the on-call of a PagerDuty incident PagerDuty confirmed is
 * invited (while the incident is open and public), `page @person` then has a PagerDuty incident to add the
 * responder to, and it is a steering action of the permissions policy.
 */
import { describe, expect, it } from 'vitest';
import type { Command } from '../../src/domain/commands.ts';
import { asPdIncidentId, asPdServiceId, asSlackUserId } from '../../src/domain/ids.ts';
import { project } from '../../src/domain/incident.ts';
import { linkInvitesOnCall } from '../../src/domain/handlers/pagerduty.ts';
import { transition } from '../../src/domain/transition.ts';
import { errorText } from '../../src/adapters/slack/strings/errors.ts';
import { pagerDutyLinkedText } from '../../src/adapters/slack/strings/messages.ts';
import { REPLIES } from '../../src/adapters/slack/strings/replies.ts';
import { T0, declare, envFor, run } from '../helpers/domain.ts';

const PD = asPdIncidentId('PABC123');
const COMMANDER = asSlackUserId('UCOMMANDER');
const MEMBER = asSlackUserId('UMEMBER');

const link = (o: Partial<Extract<Command, { type: 'link_pagerduty' }>> = {}): Command => ({
  type: 'link_pagerduty', pdIncidentId: PD, pdIncidentNumber: 1234, url: 'https://acme.pagerduty.com/incidents/PABC123', serviceId: asPdServiceId('PSVC1'), title: 'Checkout 5xx above 2%', ...o,
});

// Declared by the commander (UCOMMANDER, envFor's actor); a member without a role joined.
const base = run([declare({ commanderId: COMMANDER }), { type: 'member_joined', userId: MEMBER }]);

describe('link_pagerduty', () => {
  it('records the link with what PagerDuty said, tells the channel who linked it, refreshes the summary and invites the on-call of its service', () => {
    const r = transition(base, link(), T0, envFor());
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    const { events, effects, state } = r.value;
    expect(events.map((e) => [e.type, e.data])).toEqual([
      ['pagerduty_linked', { pdIncidentId: PD, pdIncidentNumber: 1234, url: 'https://acme.pagerduty.com/incidents/PABC123', serviceId: 'PSVC1' }],
    ]);
    // The title is for the notice only: the report names the PagerDuty incident by number.
    expect(JSON.stringify(events)).not.toContain('Checkout 5xx');
    expect(state?.pagerDutyIncidents).toEqual([{ id: PD, number: 1234, url: 'https://acme.pagerduty.com/incidents/PABC123', serviceId: 'PSVC1' }]);
    expect(effects).toEqual([
      { kind: 'slack.refresh_slot', slot: 'summary' },
      {
        kind: 'slack.post', to: { kind: 'incident' },
        message: { template: 'pagerduty_linked', pdIncidentId: PD, pdIncidentNumber: 1234, url: 'https://acme.pagerduty.com/incidents/PABC123', title: 'Checkout 5xx above 2%', by: COMMANDER },
      },
      // The effect a trigger that opens an incident queues: the service's on-call responders come into the channel.
      { kind: 'pagerduty.invite_oncall', serviceId: 'PSVC1' },
    ]);
    // The projection rebuilt from the log holds the same link.
    expect(project(replayLog(link()))?.pagerDutyIncidents).toEqual(state?.pagerDutyIncidents);
  });

  it('links by id alone when PagerDuty said nothing (not asked, or not reachable), inviting nobody', () => {
    const r = transition(base, { type: 'link_pagerduty', pdIncidentId: PD }, T0, envFor());
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    expect(r.value.events[0]?.data).toEqual({ pdIncidentId: PD });
    expect(r.value.state?.pagerDutyIncidents).toEqual([{ id: PD }]);
    expect(r.value.effects).toEqual([
      { kind: 'slack.refresh_slot', slot: 'summary' },
      { kind: 'slack.post', to: { kind: 'incident' }, message: { template: 'pagerduty_linked', pdIncidentId: PD, by: COMMANDER } },
    ]);
  });

  it('invites the on-call while the incident is open and public; not into a private channel, nor once resolved or closed', () => {
    const invites = (state: typeof base) => {
      const r = transition(state, link(), T0, envFor());
      if (!r.ok) throw new Error(JSON.stringify(r.error));
      return r.value.effects.filter((e) => e.kind === 'pagerduty.invite_oncall');
    };
    const invite = [{ kind: 'pagerduty.invite_oncall', serviceId: 'PSVC1' }];
    expect(invites(run([{ type: 'set_status', status: 'monitoring' }], base))).toEqual(invite);
    expect(invites(run([declare({ commanderId: COMMANDER, private: true })]))).toEqual([]);
    const resolved = run([{ type: 'resolve' }], base);
    expect(invites(resolved)).toEqual([]);
    expect(invites(run([{ type: 'close' }], resolved))).toEqual([]);
    // Reopened, it needs responders again.
    expect(invites(run([{ type: 'reopen' }], resolved))).toEqual(invite);
    expect([base, run([declare({ private: true })]), resolved].map(linkInvitesOnCall)).toEqual(['invite', 'private', 'over']);
  });

  it('invites again when a PagerDuty incident is linked again after an unlink (people in the channel already are the deliverer\'s to skip)', () => {
    const relinked = run([link(), { type: 'unlink_pagerduty', pdIncidentId: PD }], base);
    const r = transition(relinked, link(), T0, envFor());
    expect(r.ok && r.value.effects.at(-1)).toEqual({ kind: 'pagerduty.invite_oncall', serviceId: 'PSVC1' });
  });

  it('refuses a second link of the same PagerDuty incident as a no-op, saying so', () => {
    const linked = run([link()], base);
    const r = transition(linked, link({ pdIncidentNumber: undefined, url: undefined }), T0, envFor());
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toEqual({ code: 'pagerduty.already_linked', params: { number: 42, pdIncidentId: PD, pdIncidentNumber: 1234 } });
    expect(errorText(r.error).text).toBe('PagerDuty incident #1234 (PABC123) is already linked to INC-42; nothing changed.');
    // Another PagerDuty incident may still be linked beside it.
    const other = transition(linked, link({ pdIncidentId: asPdIncidentId('PXYZ789'), pdIncidentNumber: 1240 }), T0, envFor());
    expect(other.ok && other.value.state?.pagerDutyIncidents.map((p) => p.id)).toEqual([PD, 'PXYZ789']);
  });

  it('a PagerDuty incident linked when PagerDuty opened the incident counts as linked too', () => {
    const paged = run([declare({ pagerDuty: { pdIncidentId: PD, pdIncidentNumber: 77 } })]);
    const r = transition(paged, link(), T0, envFor({ actor: { kind: 'user', userId: COMMANDER } }));
    expect(!r.ok && r.error.code).toBe('pagerduty.already_linked');
  });

  it('lets `page @person` add a responder once a PagerDuty incident is linked', () => {
    const page: Command = { type: 'page', target: { kind: 'user', userId: MEMBER }, message: 'need the DB owner' };
    const before = transition(base, page, T0, envFor());
    expect(!before.ok && before.error.code).toBe('page.not_linked');
    const after = transition(run([link()], base), page, T0, envFor());
    if (!after.ok) throw new Error(JSON.stringify(after.error));
    expect(after.value.effects).toEqual([{ kind: 'pagerduty.page', target: { kind: 'user', userId: MEMBER }, message: 'need the DB owner' }]);
  });

  it('is steering: a channel member without a role is refused, naming who may', () => {
    const r = transition(base, link(), T0, envFor({ actor: { kind: 'user', userId: MEMBER }, access: { channelMember: true } }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('permission.denied');
    expect(r.error.params).toMatchObject({ action: 'link_pagerduty', number: 42 });
    expect(errorText(r.error).text).toMatch(/^You may not link PagerDuty incidents to INC-42\..*<@UCOMMANDER>/s);
  });

  it('still links after close, for the report (facts and the report stay open after close)', () => {
    const closed = run([{ type: 'resolve' }, { type: 'close' }], base);
    const r = transition(closed, link(), T0, envFor());
    expect(r.ok && r.value.events.map((e) => e.type)).toEqual(['pagerduty_linked']);
  });

  it('has no `by` when no person linked it', () => {
    const r = transition(base, link(), T0, envFor({ actor: { kind: 'kranz' } }));
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    expect(r.value.effects[1]).toMatchObject({ message: { template: 'pagerduty_linked' } });
    expect(r.value.effects[1]).not.toHaveProperty('message.by');
  });
});

describe('the channel notice of a link', () => {
  const m = { template: 'pagerduty_linked' as const, pdIncidentId: PD, pdIncidentNumber: 1234, url: 'https://acme.pagerduty.com/incidents/PABC123', title: 'Disk <full> & *bold*', by: COMMANDER };

  it('names who linked which PagerDuty incident, linked to PagerDuty, and what follows', () => {
    expect(pagerDutyLinkedText(m, 42, true).text).toBe(
      ':link: <@UCOMMANDER> linked PagerDuty incident <https://acme.pagerduty.com/incidents/PABC123|#1234> (Disk &lt;full&gt; &amp; *bold*) to INC-42: its PagerDuty events show on this timeline from now on, and resolving INC-42 resolves it in PagerDuty.',
    );
    expect(pagerDutyLinkedText(m, 42, false).text).not.toContain('resolves it in PagerDuty');
  });

  it('names it by id when PagerDuty said nothing, and cuts a long title', () => {
    expect(pagerDutyLinkedText({ template: 'pagerduty_linked', pdIncidentId: PD }, 42, false).text).toBe(
      ':link: Linked PagerDuty incident PABC123 to INC-42: its PagerDuty events show on this timeline from now on.',
    );
    const long = pagerDutyLinkedText({ ...m, title: '😀'.repeat(500) }, 42, false).text;
    expect(long).toContain(`(${'😀'.repeat(199)}…)`);
    expect(long).not.toMatch(/\uD83D(?!\uDE00)/);
  });
});

describe('the answer to the person who linked', () => {
  const found = { kind: 'found' as const, incident: { number: 1234, title: 'Disk full', url: 'https://acme.pagerduty.com/incidents/PABC123', serviceId: asPdServiceId('PSVC1') } };
  const linked = ':link: Linked PagerDuty incident <https://acme.pagerduty.com/incidents/PABC123|#1234> (Disk full) to INC-42. Its PagerDuty events show on the timeline here from now on, and `/incident page @person` adds responders to it.';

  it('says whom Kranz invites, as the link decided: the on-call, nobody into a private incident, nothing once it is over', () => {
    expect(REPLIES.pagerDutyLinked(42, PD, found, false, 'invite').text).toBe(`${linked} Kranz is inviting the on-call responders of its PagerDuty service to this channel.`);
    expect(REPLIES.pagerDutyLinked(42, PD, found, false, 'private').text).toBe(`${linked} INC-42 is private, so Kranz invites no one to it: \`/invite\` the responders you need.`);
    expect(REPLIES.pagerDutyLinked(42, PD, found, false, 'over').text).toBe(linked);
  });

  it('is unchanged when PagerDuty could not be asked: nobody is invited, and it says nothing of inviting', () => {
    expect(REPLIES.pagerDutyLinked(42, PD, { kind: 'unavailable', reason: 'HTTP 503' }, false, 'invite').text).toBe(
      ':link: Linked PagerDuty incident PABC123 to INC-42. PagerDuty could not be asked about it just now, so it is linked by its id, unchecked: if the id is wrong, nothing will arrive. Its PagerDuty events show on the timeline here from now on, and `/incident page @person` adds responders to it.',
    );
  });
});

/** The events of declaring `base` and then applying `c`, as one log. */
function replayLog(c: Command) {
  const d = transition(undefined, declare({ commanderId: COMMANDER }), T0, envFor());
  if (!d.ok) throw new Error('declare');
  const l = transition(d.value.state, c, T0, envFor());
  if (!l.ok) throw new Error('link');
  return [...d.value.events, ...l.value.events];
}
