/**
 * `/incident unlink` end to end, over HTTP: Slack and PagerDuty stand-ins,
 * signed webhooks. A PagerDuty incident linked by hand to the wrong incident
 * is unlinked by its URL: the person is told privately, the channel hears who
 * unlinked which, the timeline records it, and the link is gone; Slack
 * re-sending the request changes nothing more. PagerDuty's later events of it no longer land on the incident and are
 * settled at once (stored as ignored, not left to be retried). Refused
 * privately, recording nothing: one not linked here, someone the policy does
 * not let link. Linking it again works, and its events land again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USERS } from '../helpers/kranz-harness.ts';
import { ephemeralTexts, resend } from '../helpers/slack-e2e.ts';
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
const unlinkedCount = async () => (await rows<{ n: number }>(h, "select count(*)::int as n from incident_events where type = 'pagerduty_unlinked'"))[0]!.n;
const storedStatus = async (eventId: string) => (await rows<{ status: string }>(h, 'select status from inbound_archive where dedupe_key = $1', [`pd:${eventId}`]))[0]?.status;

describe('/incident unlink', () => {
  let inc: { id: string; number: number; channel: string };
  let pd: WebhookIncident;
  let url: string;

  beforeAll(async () => {
    inc = await declareByHand('Checkout is failing for some cards');
    pd = h.pdIncident({ serviceId: PD.manualService, title: 'Unrelated disk alert' });
    url = `${SANDBOX_WEB}/incidents/${pd.id}`;
    expect((await slash(dana(), inc.channel, `link ${pd.id}`))[0]).toMatch(/^:link: Linked PagerDuty incident/);
    expect(await linkOf(pd.id)).toBe(inc.id);
  });

  it('unlinks it by its URL, telling the person, recording it on the timeline, once when Slack re-sends the request', async () => {
    const before = ephemeralTexts(h, USERS.dana.id).length;
    const r = await dana().slashCommand(inc.channel, '/incident', `unlink <${url}>`);
    expect(r.status).toBe(200);
    expect((await resend(h, r.delivery, 1)).status).toBe(200);
    await settled(h);
    expect(ephemeralTexts(h, USERS.dana.id).slice(before)).toEqual([
      `:link: Unlinked PagerDuty incident ${pd.id} from INC-${inc.number}. Its later PagerDuty events are not recorded here, and do not open an incident; \`/incident link ${pd.id}\` links it again.`,
    ]);
    expect(await linkOf(pd.id)).toBeUndefined();
    const unlinked = (await eventsOf(inc.id)).filter((e) => e.type === 'pagerduty_unlinked');
    expect(unlinked.map((e) => e.data)).toEqual([{ pdIncidentId: pd.id, pdIncidentNumber: pd.number }]);
    // The channel hears who unlinked which, once though Slack sent the request twice.
    const notice = `:link: <@${USERS.dana.id}> unlinked PagerDuty incident <${url}|#${pd.number}> from INC-${inc.number}: its PagerDuty events no longer show on this timeline, and resolving INC-${inc.number} no longer resolves it in PagerDuty.`;
    expect(h.slack.workspace.history(inc.channel).filter((m) => m.text === notice)).toHaveLength(1);
    // The pinned summary no longer names it.
    const summary = h.slack.workspace.history(inc.channel).find((m) => JSON.stringify(m.blocks ?? []).includes('Kranz keeps this message up to date'));
    expect(JSON.stringify(summary?.blocks)).not.toContain(pd.id);
  });

  it("settles the PagerDuty incident's later events at once, off this incident's timeline", async () => {
    const before = (await eventsOf(inc.id)).length;
    const ack = await h.event('incident.acknowledged', pd);
    const note = await h.event('incident.annotated', pd, { note: { content: 'not about checkout' } });
    for (const e of [ack, note]) expect(e.status).toBe(202);
    for (const e of [ack, note]) await until(async () => (await storedStatus(e.eventId)) === 'ignored', 'the event settled as ignored');
    await settled(h);
    expect((await eventsOf(inc.id)).length).toBe(before);
  });

  it('refuses privately, recording nothing: one not linked here, someone the policy does not let link', async () => {
    const before = await unlinkedCount();
    expect(await slash(dana(), inc.channel, `unlink ${pd.id}`)).toEqual([
      `:warning: PagerDuty incident ${pd.id} is not linked to INC-${inc.number}, so there is nothing to unlink; nothing changed. The incident's summary message in this channel names the ones linked.`,
    ]);
    expect(await slash(dana(), inc.channel, 'unlink #1234')).toEqual([expect.stringMatching(/^`#1234` is not a PagerDuty incident id or URL\. That looks like the incident's number.*`\/incident unlink PABC123`/)]);
    expect(await slash(dana(), inc.channel, 'unlink')).toEqual(['`/incident unlink` needs one PagerDuty incident id or URL. Usage: `/incident unlink PABC123`']);

    const other = h.pdIncident({ serviceId: PD.manualService, title: 'Card auth 5xx' });
    await slash(dana(), inc.channel, `link ${other.id}`);
    await eve().join(inc.channel);
    await settled(h);
    const [refusal] = await slash(eve(), inc.channel, `unlink ${other.id}`);
    expect(refusal).toMatch(new RegExp(`^:warning: You may not link PagerDuty incidents to INC-${inc.number}\\..*<@${USERS.dana.id}>`, 's'));
    expect(await linkOf(other.id)).toBe(inc.id);
    expect(await unlinkedCount()).toBe(before);
  });

  it('links it again, and its events land again', async () => {
    const [linked] = await slash(dana(), inc.channel, `link ${pd.id}`);
    expect(linked).toMatch(/^:link: Linked PagerDuty incident/);
    expect(await linkOf(pd.id)).toBe(inc.id);
    const ack = await h.event('incident.acknowledged', pd);
    await until(async () => (await eventsOf(inc.id)).some((e) => e.idempotency_key === `pd:event:${ack.eventId}`), 'the event after the link again');
    await until(async () => (await storedStatus(ack.eventId)) === 'processed', 'the event marked processed');
  });
});
