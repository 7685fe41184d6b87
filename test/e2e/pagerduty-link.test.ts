/**
 * `/incident link` end to end, over HTTP: Slack and PagerDuty stand-ins,
 * signed webhooks. An incident declared by hand is linked to a PagerDuty
 * incident (whose trigger Kranz had ignored: its service does not auto-open);
 * PagerDuty is asked for its number and title; the channel hears it and the
 * pinned summary shows it; PagerDuty's later events land on the timeline as
 * for an incident PagerDuty opened; `page @person` then adds a responder to
 * it; the on-call responders of its service are invited into the channel, as
 * for an incident PagerDuty opened, except those in it already (and nobody
 * into a private incident). Refused privately, changing nothing: a malformed id, the same link
 * again, a PagerDuty incident linked to another incident (named), an id
 * PagerDuty does not know, someone the policy does not let link. PagerDuty
 * down does not lose the link: it is made by id, invites nobody, and the
 * answer says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incidentChannel, USERS } from '../helpers/kranz-harness.ts';
import { declareIncident } from '../../src/app/declare-incident.ts';
import { asSlackChannelId, asSlackUserId } from '../../src/domain/ids.ts';
import { PD, rows, settled, startPdHarness, until, type PdHarness } from '../helpers/pd-harness.ts';
import { declareByHand as declareByHandAs, eventsOf as incidentEvents, linkOf as linkedTo, slashAs } from '../helpers/pd-link-e2e.ts';
import type { WebhookIncident } from '../../src/sandbox/pagerduty/webhook-sender.ts';
import { SANDBOX_WEB } from '../../src/sandbox/pagerduty/shapes.ts';

let h: PdHarness;
beforeAll(async () => {
  h = await startPdHarness();
});
afterAll(async () => h?.close());

const dana = () => h.slack.user(USERS.dana.id);
const eve = () => h.slack.user(USERS.eve.id);

const slash = (who: ReturnType<typeof dana>, channel: string, text: string) => slashAs(h, who, channel, text);

const declareByHand = (title: string) => declareByHandAs(h, dana(), title);

const eventsOf = (incidentId: string) => incidentEvents(h, incidentId);
const linkOf = (pdId: string) => linkedTo(h, pdId);
const linkCounts = async () => (await rows<{ links: string; events: string }>(h, "select (select count(*) from pagerduty_links)::text as links, (select count(*) from incident_events where type = 'pagerduty_linked')::text as events"))[0];
const texts = (channel: string) => h.slack.workspace.history(channel).map((m) => m.text ?? '');

describe('/incident link', () => {
  let inc: { id: string; number: number; channel: string };
  let pd: WebhookIncident;
  let url: string;

  beforeAll(async () => {
    inc = await declareByHand('Checkout is failing for some cards');
    // The PagerDuty incident exists; its trigger came and was ignored (the service does not auto-open).
    pd = h.pdIncident({ serviceId: PD.manualService, title: 'Card auth 5xx above 2%' });
    url = `${SANDBOX_WEB}/incidents/${pd.id}`;
    const trigger = await h.event('incident.triggered', pd);
    expect(trigger.status).toBe(202);
    await settled(h);
    expect((await rows(h, 'select 1 from pagerduty_ignored where pd_incident_id = $1', [pd.id])).length).toBe(1);
    expect(await linkOf(pd.id)).toBeUndefined();
  });

  it('links the PagerDuty incident by its URL (as Slack escapes it), with the number and title PagerDuty gives', async () => {
    const seen = await slash(dana(), inc.channel, `link <${url}>`);
    expect(seen).toEqual([
      `:link: Linked PagerDuty incident <${url}|#${pd.number}> (Card auth 5xx above 2%) to INC-${inc.number}. Its PagerDuty events show on the timeline here from now on, and \`/incident page @person\` adds responders to it. Kranz is inviting the on-call responders of its PagerDuty service to this channel.`,
    ]);
    expect(h.pd.requests.filter((r) => r.route === 'getIncident').map((r) => [r.path, r.status])).toEqual([[`/incidents/${pd.id}`, 200]]);
    expect(await linkOf(pd.id)).toBe(inc.id);
    const linked = (await eventsOf(inc.id)).filter((e) => e.type === 'pagerduty_linked');
    expect(linked.map((e) => e.data)).toEqual([{ pdIncidentId: pd.id, pdIncidentNumber: pd.number, url, serviceId: PD.manualService }]);
    // The channel hears who linked what; the pinned summary shows it.
    expect(texts(inc.channel)).toContain(
      `:link: <@${USERS.dana.id}> linked PagerDuty incident <${url}|#${pd.number}> (Card auth 5xx above 2%) to INC-${inc.number}: its PagerDuty events show on this timeline from now on, and resolving INC-${inc.number} resolves it in PagerDuty.`,
    );
    const summary = h.slack.workspace.history(inc.channel).find((m) => JSON.stringify(m.blocks ?? []).includes('Kranz keeps this message up to date'));
    expect(JSON.stringify(summary?.blocks)).toContain(`PagerDuty: <${url}|#${pd.number}>`);
  });

  it("lands the PagerDuty incident's later events on the incident's timeline, as for an incident PagerDuty opened", async () => {
    const before = texts(inc.channel).length;
    const ack = await h.event('incident.acknowledged', pd, { agent: { id: PD.users.sam, summary: USERS.sam.real_name } });
    expect(ack.status).toBe(202);
    await until(async () => (await eventsOf(inc.id)).some((e) => e.idempotency_key === `pd:event:${ack.eventId}`), 'the acknowledgement on the timeline');
    const note = await h.event('incident.annotated', pd, { note: { content: 'Rolled back the card-auth deploy' } });
    await until(async () => (await eventsOf(inc.id)).some((e) => e.idempotency_key === `pd:event:${note.eventId}`), 'the note on the timeline');
    await settled(h);
    const events = await eventsOf(inc.id);
    expect(events.find((e) => e.idempotency_key === `pd:event:${ack.eventId}`)).toMatchObject({ type: 'pagerduty_event', data: { eventType: 'incident.acknowledged', pdIncidentId: pd.id } });
    expect(events.find((e) => e.idempotency_key === `pd:event:${note.eventId}`)).toMatchObject({ type: 'note_added', data: { via: 'pagerduty', text: 'PagerDuty note by Sandbox Responder: Rolled back the card-auth deploy' } });
    // Posted in the channel, named by the PagerDuty incident's number.
    expect(texts(inc.channel).slice(before).filter((t) => t.startsWith(`PagerDuty: PagerDuty #${pd.number}: `))).toEqual([expect.stringMatching(`Acknowledged by ${USERS.sam.real_name}`)]);
    for (const e of [ack, note]) {
      const [stored] = await rows<{ status: string }>(h, 'select status from inbound_archive where dedupe_key = $1', [`pd:${e.eventId}`]);
      expect(stored?.status).toBe('processed');
    }
    // The acknowledgement is the incident's acknowledged time, as for one PagerDuty opened.
    const [state] = await rows<{ state: { times: { acknowledgedAt?: string } } }>(h, 'select state from incidents where id = $1', [inc.id]);
    expect(state?.state.times.acknowledgedAt).toBeDefined();
  });

  it('lets `/incident page @person` add a responder to the linked PagerDuty incident', async () => {
    const seen = await slash(dana(), inc.channel, `page <@${USERS.sam.id}|sam> Card auth needs you`);
    expect(seen.at(-1)).toContain('Page queued for PagerDuty');
    const request = await until(() => h.pd.state.responderRequests.find((q) => q.incidentId === pd.id), 'responder request on the linked PagerDuty incident');
    expect(request.targetUserIds).toEqual([PD.users.sam]);
  });

  it('refuses privately, changing nothing: a malformed id, a number, a URL elsewhere, too many words, the same link again', async () => {
    const before = await linkCounts();
    const cases: [string, RegExp][] = [
      ['link PA', /^`PA` is not a PagerDuty incident id or URL\. Give the id \(the last part of the incident's URL in PagerDuty\) or the URL, e\.g\. `\/incident link PABC123`/],
      ['link #1234', /^`#1234` is not a PagerDuty incident id or URL\. That looks like the incident's number; Kranz needs its id\./],
      ['link <https://acme.opsgenie.com/incidents/PABC123>', /^`https:\/\/acme\.opsgenie\.com\/incidents\/PABC123` is not a PagerDuty incident id or URL\./],
      ['link', /^`\/incident link` needs one PagerDuty incident id or URL\. Usage: `\/incident link PABC123`$/],
      [`link ${pd.id} ${pd.id}`, /needs one PagerDuty incident id or URL/],
      [`link ${pd.id.toLowerCase()}`, new RegExp(`^:warning: PagerDuty incident #${pd.number} \\(${pd.id}\\) is already linked to INC-${inc.number}; nothing changed\\.$`)],
    ];
    for (const [text, expected] of cases) expect({ text, seen: await slash(dana(), inc.channel, text) }).toEqual({ text, seen: [expect.stringMatching(expected)] });
    expect(await linkCounts()).toEqual(before);
  });

  it('refuses a PagerDuty incident linked to another incident, naming it', async () => {
    const other = await declareByHand('Card payments still failing');
    const before = await linkCounts();
    const asked = h.pd.requests.filter((r) => r.route === 'getIncident').length;
    const seen = await slash(dana(), other.channel, `link ${pd.id}`);
    expect(seen).toEqual([`:warning: PagerDuty incident ${pd.id} is already linked to INC-${inc.number}, and its events go there: a PagerDuty incident belongs to one Kranz incident. Nothing changed.`]);
    expect(await linkCounts()).toEqual(before);
    expect(await linkOf(pd.id)).toBe(inc.id);
    // Answered from Kranz's own links: PagerDuty was not asked.
    expect(h.pd.requests.filter((r) => r.route === 'getIncident').length).toBe(asked);
  });

  it('refuses an id PagerDuty does not know, and someone the policy does not let link', async () => {
    const before = await linkCounts();
    expect(await slash(dana(), inc.channel, 'link PNOSUCH1')).toEqual([
      ":warning: PagerDuty has no incident PNOSUCH1. Check the id (the last part of the incident's URL in PagerDuty) or paste the URL. Nothing changed.",
    ]);
    // Eve is in the channel but holds no role: linking steers the incident (commander, role holders, admins).
    await eve().join(inc.channel);
    await settled(h);
    const other = h.pdIncident({ serviceId: PD.manualService, title: 'Another page' });
    const [refusal] = await slash(eve(), inc.channel, `link ${other.id}`);
    expect(refusal).toMatch(new RegExp(`^:warning: You may not link PagerDuty incidents to INC-${inc.number}\\..*<@${USERS.dana.id}>`, 's'));
    expect(await linkCounts()).toEqual(before);
  });

  it('PagerDuty down does not lose the link: it is made by id, says so, and the events that come later land', async () => {
    const other = await declareByHand('Refunds are delayed');
    const second = h.pdIncident({ serviceId: PD.manualService, title: 'Refund queue backlog' });
    h.pd.faults.serverError('getIncident', { times: 1, status: 503 });
    const seen = await slash(dana(), other.channel, `link ${second.id}`);
    expect(seen).toEqual([
      `:link: Linked PagerDuty incident ${second.id} to INC-${other.number}. PagerDuty could not be asked about it just now, so it is linked by its id, unchecked: if the id is wrong, nothing will arrive. Its PagerDuty events show on the timeline here from now on, and \`/incident page @person\` adds responders to it.`,
    ]);
    expect(await linkOf(second.id)).toBe(other.id);
    expect((await eventsOf(other.id)).filter((e) => e.type === 'pagerduty_linked').map((e) => e.data)).toEqual([{ pdIncidentId: second.id }]);
    // Whose incident it is could not be asked either: nobody is invited.
    expect(await rows(h, "select 1 from outbox where incident_id = $1 and op = 'invite_oncall'", [other.id])).toEqual([]);
    const ack = await h.event('incident.acknowledged', second);
    await until(async () => (await eventsOf(other.id)).some((e) => e.idempotency_key === `pd:event:${ack.eventId}`), 'the event of a PagerDuty incident linked by id');
    await settled(h);
    // The number comes with the event.
    expect(texts(other.channel).some((t) => t.startsWith(`PagerDuty: PagerDuty #${second.number}: `))).toBe(true);
  });

  it('answers outside an incident channel that there is no incident here', async () => {
    const [seen] = await slash(dana(), 'CGENERAL', `link ${pd.id}`);
    expect(seen).toMatch(/^:warning: This channel is not an incident channel\./);
  });
});

describe('/incident link invites the on-call of the linked PagerDuty incident', () => {
  const invites = () => h.slack.workspace.callsTo('conversations.invite');
  const inviteResults = async (incidentId: string) =>
    (await rows<{ status: string; result: Record<string, unknown> }>(h, "select status, result from outbox where incident_id = $1 and op = 'invite_oncall' order by id", [incidentId]));
  const addedTo = (channel: string, user: string) => h.slack.workspace.history(channel).filter((m) => m.subtype === 'channel_join' && m.user === user);

  it("invites its service's on-call responders as a trigger that opens an incident does, not those in the channel already", async () => {
    const inc = await declareByHand('Carts empty after login');
    // Eve (on call at level 1) is in the channel before the link; Dana (level 2) declared it.
    await eve().join(inc.channel);
    await settled(h);
    const pd = h.pdIncident({ serviceId: PD.service, title: 'Cart service 5xx' });
    const before = { invites: invites().length, oncalls: h.pd.requests.filter((r) => r.route === 'listOnCalls').length };

    const [answer] = await slash(dana(), inc.channel, `link ${pd.id}`);
    expect(answer).toMatch(/Kranz is inviting the on-call responders of its PagerDuty service to this channel\.$/);
    // The same path: PagerDuty on-calls of the service's escalation policy (level 1) → emails → Slack users → one invite.
    const oncalls = h.pd.requests.filter((r) => r.route === 'listOnCalls').slice(before.oncalls);
    expect(oncalls.map((r) => r.query['escalation_policy_ids[]'])).toEqual([[PD.escalationPolicy]]);
    expect(invites().slice(before.invites).map((c) => c.args['users'])).toEqual([USERS.sam.id]);
    const channel = h.slack.workspace.channels.get(inc.channel)!;
    expect([USERS.sam.id, USERS.eve.id, USERS.dana.id].every((u) => channel.members.has(u))).toBe(true);
    expect(addedTo(inc.channel, USERS.eve.id)).toHaveLength(1);
    expect(await inviteResults(inc.id)).toEqual([{ status: 'delivered', result: { invited: [USERS.sam.id], alreadyIn: [USERS.eve.id], notInSlack: ['alice@example.com'] } }]);
    // Recorded as members at once, so roles can be given to them.
    const [state] = await rows<{ state: { members: string[] } }>(h, 'select state from incidents where id = $1', [inc.id]);
    expect(state?.state.members).toEqual(expect.arrayContaining([USERS.sam.id, USERS.eve.id, USERS.dana.id]));

    // A second PagerDuty incident of the same service: everyone on call is in already, so nobody is invited and nothing fails.
    const again = h.pdIncident({ serviceId: PD.service, title: 'Cart service latency' });
    await slash(dana(), inc.channel, `link ${again.id}`);
    expect(invites().length).toBe(before.invites + 1);
    expect((await inviteResults(inc.id)).at(-1)).toEqual({ status: 'delivered', result: { invited: [], alreadyIn: [USERS.sam.id, USERS.eve.id], notInSlack: ['alice@example.com'] } });
    expect(addedTo(inc.channel, USERS.sam.id)).toHaveLength(1);
  });

  it('invites nobody into a private incident, and says so', async () => {
    const declared = await declareIncident(h.kranz.deps, { title: 'Signing key exposed', severity: 'SEV2', private: true, commanderId: asSlackUserId(USERS.dana.id) }, {
      actor: { kind: 'user', userId: asSlackUserId(USERS.dana.id) }, source: { kind: 'slack', channelId: asSlackChannelId('CGENERAL') }, idempotencyKey: 'link-private-1',
    });
    if (!declared.ok) throw new Error(JSON.stringify(declared.error));
    const channel = await incidentChannel(h, declared.state.number);
    await settled(h);
    const pd = h.pdIncident({ serviceId: PD.service, title: 'Key usage from unknown IP' });
    const before = invites().length;
    const [answer] = await slash(dana(), channel.id, `link ${pd.id}`);
    expect(answer).toMatch(new RegExp(`INC-${declared.state.number} is private, so Kranz invites no one to it: \`/invite\` the responders you need\\.$`));
    expect(await linkOf(pd.id)).toBe(declared.incidentId);
    expect(await inviteResults(declared.incidentId)).toEqual([]);
    expect(invites().length).toBe(before);
    expect(h.slack.workspace.channels.get(channel.id)!.members.has(USERS.sam.id)).toBe(false);
  });
});
