/**
 * Every captured PagerDuty V3 event type, signed and POSTed to Kranz over
 * HTTP, has its effect: a trigger on an auto-open service declares an
 * incident (severity from priority, else urgency), creates the channel with
 * the checklist and invites the on-call responders; later events become
 * timeline entries and channel posts; priority and resolve changes are
 * offered as buttons that work when clicked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USERS } from '../helpers/kranz-harness.ts';
import { fixtureBody, linkedIncident, PD, pdPolicy, rows, settled, startPdHarness, until, type PdHarness } from '../helpers/pd-harness.ts';

let h: PdHarness;
beforeAll(async () => {
  h = await startPdHarness();
});
afterAll(async () => h?.close());

type Linked = NonNullable<Awaited<ReturnType<typeof linkedIncident>>>;

async function declaredFrom(pdIncidentId: string): Promise<Linked> {
  const linked = await until(async () => {
    const l = await linkedIncident(h, pdIncidentId);
    return l?.channel_id ? l : undefined;
  }, `Kranz incident with a channel for PagerDuty ${pdIncidentId}`);
  await settled(h);
  return (await linkedIncident(h, pdIncidentId))!;
}

const history = (channel: string) => h.slack.workspace.history(channel);
const texts = (channel: string): string[] => history(channel).map((m) => m.text ?? '');

async function eventsOf(incidentId: string): Promise<{ type: string; data: Record<string, unknown>; idempotency_key: string }[]> {
  return rows(h, 'select type, data, idempotency_key from incident_events where incident_id = $1 order by seq', [incidentId]);
}

async function sendFixture(name: string, pdIncidentId: string, edit?: (data: Record<string, unknown>) => void): Promise<string> {
  const { body, eventId } = fixtureBody(name, pdIncidentId, edit ? { edit } : {});
  const r = await h.send({ body });
  expect(r.status).toBe(202);
  return eventId;
}

describe('PagerDuty events over HTTP', () => {
  let pdId: string;
  let inc: Linked;

  it('a trigger on an auto-open service declares with the urgency severity, a channel, the checklist and the on-call responders', async () => {
    pdId = h.pdIncident({ urgency: 'low' }).id;
    // The captured trigger has priority null: the severity comes from urgency (low → SEV4).
    await sendFixture('triggered_v3', pdId, (d) => {
      d['urgency'] = 'low';
      d['title'] = 'Checkout latency above 2s';
    });
    inc = await declaredFrom(pdId);
    expect(inc.severity).toBe('SEV4');
    expect(inc.status).toBe('investigating');
    const channel = h.slack.workspace.channels.get(inc.channel_id!)!;
    expect(channel.name).toBe(`inc-${inc.number}-checkout-latency-above-2s`);
    const checklist = history(channel.id).find((m) => (m.text ?? '').startsWith(`Checklist for INC-${inc.number}`));
    expect(checklist).toBeDefined();
    // SEV4 is not customer-impacting: its checklist is the policy's, without the customer call.
    expect(inc.state.checklist.map((i) => i.id)).toEqual(['assign-commander', 'assess-impact', 'first-update']);
    for (const item of inc.state.checklist) expect(JSON.stringify(checklist!.blocks)).toContain(item.title);
    // Level-1 on-calls with Slack accounts (Sam, Eve) are in the channel; level 2 (Dana) is not.
    expect(channel.members.has(USERS.sam.id)).toBe(true);
    expect(channel.members.has(USERS.eve.id)).toBe(true);
    expect(channel.members.has(USERS.dana.id)).toBe(false);
    expect(inc.state.members).toEqual(expect.arrayContaining([USERS.sam.id, USERS.eve.id]));
    // The path went PagerDuty on-calls → emails → users.lookupByEmail → conversations.invite.
    const oncalls = h.pd.requests.filter((r) => r.route === 'listOnCalls');
    expect(oncalls.length).toBe(1);
    expect(oncalls[0]?.query['escalation_policy_ids[]']).toEqual([PD.escalationPolicy]);
    const calls = h.slack.workspace.calls.map((c) => c.method);
    expect(calls.filter((m) => m === 'users.lookupByEmail').length).toBe(3);
    expect(calls).toContain('conversations.invite');
    const invite = await rows<{ result: { invited: string[]; notInSlack: string[] } }>(h, "select result from outbox where op = 'invite_oncall'");
    expect(invite[0]?.result.notInSlack).toEqual(['alice@example.com']);
    const events = await eventsOf(inc.id);
    expect(events.map((e) => e.type).slice(0, 2)).toEqual(['declared', 'pagerduty_linked']);
    expect(events[0]?.idempotency_key).toBe(`pd:incident:${pdId}`);
  });

  it('a trigger with a priority takes the severity from the priority, over the urgency', async () => {
    const other = h.pdIncident({ urgency: 'low', priority: 'P1', title: 'Payments down' }).id;
    await sendFixture('triggered_v3', other, (d) => {
      d['urgency'] = 'low';
      d['priority'] = { id: PD.priorities.P1, type: 'priority_reference', summary: 'P1' };
    });
    const declared = await declaredFrom(other);
    expect(declared.severity).toBe('SEV1');
    // SEV1 on a service that affects Acme: calling Acme's main contact comes first.
    const checklist = history(declared.channel_id!).find((m) => (m.text ?? '').startsWith(`Checklist for INC-${declared.number}`));
    expect(JSON.stringify(checklist?.blocks?.[1] ?? {})).toContain('Dana Reyes');
    expect(declared.state.checklist.map((i) => i.id)).toContain('notify-execs');
  });

  it('without a configured escalation policy, the on-calls come from the service in PagerDuty', async () => {
    const other = h.pdIncident({ serviceId: PD.lookupService, title: 'Card auth slow' }).id;
    await sendFixture('triggered_v3', other, (d) => {
      (d['service'] as Record<string, unknown>)['id'] = PD.lookupService;
    });
    const declared = await declaredFrom(other);
    expect(h.pd.requests.filter((r) => r.route === 'getService').map((r) => r.path)).toEqual([`/services/${PD.lookupService}`]);
    const channel = h.slack.workspace.channels.get(declared.channel_id!)!;
    expect([USERS.sam.id, USERS.eve.id].every((u) => channel.members.has(u))).toBe(true);
    expect(channel.members.has(USERS.dana.id)).toBe(false);
  });

  const timelineTypes: [fixture: string, eventType: string, posted: RegExp][] = [
    ['acknowledged_v3', 'incident.acknowledged', /Acknowledged by PIG 208/],
    ['unacknowledged_v3', 'incident.unacknowledged', /Unacknowledged/],
    ['escalate_v3', 'incident.escalated', /Escalated by Harsh Santwani/],
    ['reassigned_v3', 'incident.reassigned', /Reassigned by/],
    ['delegated_v3', 'incident.delegated', /Delegated by Harsh Santwani/],
    ['reopened_v3', 'incident.reopened', /Reopened by/],
    ['responder_added', 'incident.responder.added', /Responder requested: /],
    ['responder_replied_v3', 'incident.responder.replied', / replied: /],
    ['status_updated_v3', 'incident.status_update_published', /Status update published in PagerDuty: /],
    ['conference_bridge_updated_v3', 'incident.conference_bridge.updated', /Conference bridge updated/],
  ];

  it.each(timelineTypes)('%s becomes a pagerduty_event and a post in the channel', async (name, eventType, posted) => {
    const before = texts(inc.channel_id!).length;
    const eventId = await sendFixture(name, pdId);
    await until(async () => (await eventsOf(inc.id)).some((e) => e.idempotency_key === `pd:event:${eventId}`), `${eventType} applied`);
    await settled(h);
    const ev = (await eventsOf(inc.id)).find((e) => e.idempotency_key === `pd:event:${eventId}`)!;
    expect(ev.type).toBe('pagerduty_event');
    expect(ev.data).toMatchObject({ eventType, pdIncidentId: pdId });
    const added = texts(inc.channel_id!).slice(before);
    expect(added).toHaveLength(1);
    // Every post names the PagerDuty incident number, from the link when the event carries only a reference.
    expect(added[0]).toMatch(/^PagerDuty: PagerDuty #\d+: /);
    expect(added[0]).toMatch(posted);
    const status = await rows<{ status: string }>(h, 'select status from inbound_archive where dedupe_key = $1', [`pd:${eventId}`]);
    expect(status[0]?.status).toBe('processed');
  });

  it('annotated becomes a timeline note', async () => {
    const eventId = await sendFixture('annotated_v3', pdId);
    const note = await until(async () => (await eventsOf(inc.id)).find((e) => e.idempotency_key === `pd:event:${eventId}`), 'note recorded');
    expect(note.type).toBe('note_added');
    expect(note.data).toMatchObject({ via: 'pagerduty', text: 'PagerDuty note by Harsh Santwani: Running KILL on long-running queries from the reporting-service.' });
  });

  it('priority_updated suggests a severity change with a button that changes it', async () => {
    // Dana (second-level on-call, not invited) joins and takes command of the incident PagerDuty opened: its buttons are hers to click.
    await h.slack.user(USERS.dana.id).join(inc.channel_id!);
    await h.slack.user(USERS.dana.id).slashCommand(inc.channel_id!, '/incident', `role commander <@${USERS.dana.id}|dana>`);
    await settled(h);
    const before = history(inc.channel_id!).length;
    // The captured body raises the priority to P2 → SEV2 (the incident is SEV4).
    await sendFixture('priority_updated_v3', pdId);
    const msg = await until(() => history(inc.channel_id!).slice(before).find((m) => /change the severity to SEV2\?/.test(m.text ?? '')), 'severity suggestion');
    expect(JSON.stringify(msg.blocks)).toContain('pd_change_severity');
    expect((await linkedIncident(h, pdId))?.severity).toBe('SEV4');
    const click = await h.slack.user(USERS.dana.id).blockAction({ channel: inc.channel_id!, messageTs: msg.ts }, 'pd_change_severity');
    expect(click.status).toBe(200);
    await until(async () => (await linkedIncident(h, pdId))?.severity === 'SEV2', 'severity SEV2');
    await settled(h);
    expect(texts(inc.channel_id!).some((t) => t.includes('Severity changed from SEV4 to SEV2'))).toBe(true);
    const changed = (await eventsOf(inc.id)).filter((e) => e.type === 'severity_changed');
    expect(changed.map((e) => e.data)).toEqual([expect.objectContaining({ from: 'SEV4', to: 'SEV2', reason: 'PagerDuty priority changed' })]);
  });

  it('resolved asks "resolve the incident?" with a button that resolves it', async () => {
    const before = history(inc.channel_id!).length;
    await sendFixture('resolved_v3', pdId);
    const msg = await until(() => history(inc.channel_id!).slice(before).find((m) => /resolve the incident\?/.test(m.text ?? '')), 'resolve suggestion');
    expect(JSON.stringify(msg.blocks)).toContain('pd_resolve');
    expect((await linkedIncident(h, pdId))?.status).toBe('investigating');
    await h.slack.user(USERS.dana.id).blockAction({ channel: inc.channel_id!, messageTs: msg.ts }, 'pd_resolve');
    await until(async () => (await linkedIncident(h, pdId))?.status === 'resolved', 'resolved');
    await settled(h);
    const resolved = (await eventsOf(inc.id)).filter((e) => e.type === 'resolved');
    expect(resolved).toHaveLength(1);
  });

  it('an on-call who joined on their own before the invite does not keep the others out', async () => {
    // The invite waits out a Slack rate limit; meanwhile Sam joins by himself.
    h.slack.faults.rateLimit('conversations.invite', { times: 1, retryAfterSec: 1 });
    const pd = h.pdIncident({ title: 'Carts empty after login' });
    await h.event('incident.triggered', pd);
    const linked = await until(async () => (await linkedIncident(h, pd.id))?.channel_id ? linkedIncident(h, pd.id) : undefined, 'channel created');
    await h.slack.user(USERS.sam.id).join(linked!.channel_id!);
    await until(async () => (await rows(h, "select 1 from outbox where incident_id = $1 and op = 'invite_oncall' and status = 'delivered'", [linked!.id])).length === 1, 'invite delivered');
    await settled(h);
    const channel = h.slack.workspace.channels.get(linked!.channel_id!)!;
    expect(channel.members.has(USERS.sam.id)).toBe(true);
    expect(channel.members.has(USERS.eve.id)).toBe(true);
    const state = (await linkedIncident(h, pd.id))!.state;
    expect(state.members).toEqual(expect.arrayContaining([USERS.sam.id, USERS.eve.id]));
    // Sam is reported as in already, not as invited, and no invite added him a second time.
    const [invite] = await rows<{ result: Record<string, unknown> }>(h, "select result from outbox where incident_id = $1 and op = 'invite_oncall'", [linked!.id]);
    expect(invite?.result).toMatchObject({ invited: [USERS.eve.id], alreadyIn: [USERS.sam.id] });
    expect(h.slack.workspace.history(linked!.channel_id!).filter((m) => m.subtype === 'channel_join' && m.user === USERS.sam.id)).toHaveLength(1);
  });

  it('a trigger for a service that does not auto-open is stored and ignored', async () => {
    const manual = h.pdIncident({ serviceId: PD.manualService }).id;
    const { body, eventId } = fixtureBody('triggered_v3', manual, { serviceId: PD.manualService });
    const r = await h.send({ body });
    expect(r.status).toBe(202);
    await settled(h);
    const stored = await rows<{ status: string; body: string }>(h, 'select status, body from inbound_archive where dedupe_key = $1', [`pd:${eventId}`]);
    expect(stored[0]?.status).toBe('ignored');
    expect(stored[0]?.body).toBe(JSON.stringify(body));
    expect(await linkedIncident(h, manual)).toBeUndefined();
  });
});

describe('PagerDuty resolved with auto_resolve', () => {
  let a: PdHarness;
  beforeAll(async () => {
    a = await startPdHarness({ policy: pdPolicy({ autoResolve: true }) });
  });
  afterAll(async () => a?.close());

  it('resolves the Kranz incident directly, without asking', async () => {
    const pd = a.pdIncident();
    await a.event('incident.triggered', pd);
    const linked = await until(async () => (await linkedIncident(a, pd.id))?.channel_id ? linkedIncident(a, pd.id) : undefined, 'declared');
    await a.event('incident.resolved', { ...pd, status: 'resolved' });
    await until(async () => (await linkedIncident(a, pd.id))?.status === 'resolved', 'auto-resolved');
    await settled(a);
    const channelTexts = a.slack.workspace.history(linked!.channel_id!).map((m) => m.text ?? '');
    expect(channelTexts.some((t) => /PagerDuty resolved it/.test(t))).toBe(true);
    expect(channelTexts.some((t) => /resolve the incident\?/.test(t))).toBe(false);
    expect(channelTexts.some((t) => t.includes(`INC-${linked!.number}`) && t.includes('is resolved'))).toBe(true);
    const ev = await a.pool.query<{ type: string; actor: { kind: string } }>("select type, actor from incident_events where incident_id = $1 and type = 'resolved'", [linked!.id]);
    expect(ev.rows).toEqual([expect.objectContaining({ actor: expect.objectContaining({ kind: 'pagerduty' }) })]);
    // Kranz also resolves the PagerDuty incident (a no-op when PagerDuty resolved it already).
    expect(a.pd.state.incidents.get(pd.id)?.status).toBe('resolved');
  });
});
