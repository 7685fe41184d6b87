/**
 * `/incident link` end to end, over HTTP: Slack and PagerDuty stand-ins,
 * signed webhooks. An incident declared by hand is linked to a PagerDuty
 * incident (whose trigger Kranz had ignored: its service does not auto-open);
 * PagerDuty is asked for its number and title; the channel hears it and the
 * pinned summary shows it; PagerDuty's later events land on the timeline as
 * for an incident PagerDuty opened; `page @person` then adds a responder to
 * it. Refused privately, changing nothing: a malformed id, the same link
 * again, a PagerDuty incident linked to another incident (named), an id
 * PagerDuty does not know, someone the policy does not let link. PagerDuty
 * down does not lose the link: it is made by id, and the answer says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USERS } from '../helpers/kranz-harness.ts';
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
      `:link: Linked PagerDuty incident <${url}|#${pd.number}> (Card auth 5xx above 2%) to INC-${inc.number}. Its PagerDuty events show on the timeline here from now on, and \`/incident page @person\` adds responders to it.`,
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
