import { describe, expect, it } from 'vitest';
import {
  decodePagerDutyV2Webhook,
  decodePagerDutyV3Event,
  decodePagerDutyWebhook,
  parsePagerDutyWebhook,
  type PdWebhookEvent,
} from '../../src/adapters/pagerduty/webhook-payload.ts';
import { fixture, fixtureNames, fixtureText } from './helpers/fixtures.ts';

/** Every copied V3 delivery: file → [event type, PagerDuty incident id]. */
const V3_FIXTURES: Record<string, [string, string]> = {
  'acknowledged_v3.json': ['incident.acknowledged', 'PQ1K5C8'],
  'annotated_v3.json': ['incident.annotated', 'Q3B15VLMF3ASBD'],
  'conference_bridge_updated_v3.json': ['incident.conference_bridge.updated', 'Q3B15VLMF3ASBD'],
  'delegated_v3.json': ['incident.delegated', 'Q3B15VLMF3ASBD'],
  'escalate_v3.json': ['incident.escalated', 'Q3B15VLMF3ASBD'],
  'priority_updated_v3.json': ['incident.priority_updated', 'Q3B15VLMF3ASBD'],
  'reassigned_v3.json': ['incident.reassigned', 'PIQUG8X'],
  'reopened_v3.json': ['incident.reopened', 'Q05XJA8GDXGOB3'],
  'resolved_v3.json': ['incident.resolved', 'PCPZE64'],
  'responder_added.json': ['incident.responder.added', 'Q3B15VLMF3ASBD'],
  'responder_replied_v3.json': ['incident.responder.replied', 'Q3B15VLMF3ASBD'],
  'status_updated_v3.json': ['incident.status_update_published', 'Q3B15VLMF3ASBD'],
  'triggered_v3.json': ['incident.triggered', 'PFQZPSY'],
  'unacknowledged_v3.json': ['incident.unacknowledged', 'PQ1K5C8'],
};

function decodeOk(body: unknown): PdWebhookEvent {
  const r = decodePagerDutyV3Event(body);
  if (!r.ok) throw new Error(r.reason);
  return r.event;
}

function eventOf(body: unknown): Record<string, unknown> {
  return (body as { event: Record<string, unknown> }).event;
}

describe('decodePagerDutyV3Event over captured deliveries', () => {
  it('has an expectation for every copied fixture', () => {
    expect(Object.keys(V3_FIXTURES).sort()).toEqual(fixtureNames('v3'));
  });

  it.each(Object.entries(V3_FIXTURES))('%s → %s', (file, [eventType, incidentId]) => {
    const body = fixture(`v3/${file}`);
    const event = decodeOk(body);
    expect(event.eventType).toBe(eventType);
    expect(event.pdIncidentId).toBe(incidentId);
    expect(event.source).toBe('v3');
    expect(event.eventId).toBe(eventOf(body)['id']);
    expect(event.occurredAt).toBe(eventOf(body)['occurred_at']);
    expect(event.agent?.type).toBe('user_reference');
    expect(event.raw).toBe(body);
  });

  it('normalises a full incident (triggered, priority null, no incident_key)', () => {
    const body = fixture('v3/triggered_v3.json');
    expect('incident_key' in (eventOf(body)['data'] as object)).toBe(false);
    const e = decodeOk(body);
    expect(e).toMatchObject({
      eventType: 'incident.triggered',
      pdIncidentId: 'PFQZPSY',
      pdIncidentNumber: 9,
      title: 'Test Incident 3',
      status: 'triggered',
      serviceId: 'PA2P440',
      serviceName: 'pig208',
      escalationPolicyId: 'PY82TC6',
      urgency: 'high',
      priority: null,
      htmlUrl: 'https://pig208.pagerduty.com/incidents/PFQZPSY',
      agent: { id: 'PJ0LVEB', summary: 'PIG 208', type: 'user_reference' },
      assignees: [{ id: 'PJ0LVEB', summary: 'PIG 208' }],
    });
    // Absent in the payload, so absent here (not null: "unknown", not "none").
    expect(e.eventType === 'incident.triggered' && 'incidentKey' in e).toBe(false);
  });

  it('reads the priority name from the reference summary', () => {
    const e = decodeOk(fixture('v3/priority_updated_v3.json'));
    expect(e).toMatchObject({ priority: { id: 'PJLLAIY', name: 'P2' }, incidentKey: 'd387d7bd2e0a4294a5307339dfe1669a', pdIncidentNumber: 5 });
  });

  it('carries the note text of incident.annotated', () => {
    const e = decodeOk(fixture('v3/annotated_v3.json'));
    if (e.eventType !== 'incident.annotated') throw new Error(e.eventType);
    expect(e.noteContent).toBe('Running KILL on long-running queries from the reporting-service.');
    expect(e.noteTrimmed).toBe(false);
    expect(e.title).toBe('Critical: Checkout API High Latency');
    // A note says nothing about priority: the field stays absent.
    expect('priority' in e).toBe(false);
  });

  it('carries the message of incident.status_update_published', () => {
    const e = decodeOk(fixture('v3/status_updated_v3.json'));
    if (e.eventType !== 'incident.status_update_published') throw new Error(e.eventType);
    expect(e.statusUpdateMessage).toMatch(/^Investigating a P1 incident with the Checkout API/);
  });

  it('carries responder details, tolerating a null escalation policy', () => {
    const added = decodeOk(fixture('v3/responder_added.json'));
    const replied = decodeOk(fixture('v3/responder_replied_v3.json'));
    if (added.eventType !== 'incident.responder.added' || replied.eventType !== 'incident.responder.replied') throw new Error('wrong types');
    expect(added.responder).toEqual({ userId: 'PXRUEF2', userSummary: 'Harsh Santwani', escalationPolicyId: 'P3RAX8S', message: 'Please help with "Critical: Checkout API High Latency"', state: 'pending' });
    expect(replied.responder.state).toBe('accepted');
    expect(replied.responder.escalationPolicyId).toBeUndefined();
  });

  it('reads conference bridges with null numbers (captured) and {label, number} objects (docs)', () => {
    const captured = decodeOk(fixture('v3/conference_bridge_updated_v3.json'));
    if (captured.eventType !== 'incident.conference_bridge.updated') throw new Error(captured.eventType);
    expect(captured.conferenceBridge).toEqual({ url: 'https://example.com/123-456-789', numbers: [] });

    const data = fixture('v3-official/data.incident_conference_bridge.json');
    const documented = decodeOk({ event: { ...eventOf(fixture('v3/conference_bridge_updated_v3.json')), data } });
    if (documented.eventType !== 'incident.conference_bridge.updated') throw new Error(documented.eventType);
    expect(documented.conferenceBridge).toEqual({ url: 'https://example.com', numbers: ['+1-555-555-5555'] });
  });

  it("decodes PagerDuty's documented priority_updated example (client set, other account)", () => {
    const e = decodeOk(fixture('v3-official/incident.priority_updated.json'));
    expect(e).toMatchObject({ eventType: 'incident.priority_updated', pdIncidentId: 'PGR0VU2', priority: { id: 'PSO75BM', name: 'P1' } });
  });

  it.each([
    ['incident.resolved', 'data.incident.json', {}],
    ['incident.annotated', 'data.incident_note.json', { noteContent: 'I sure am glad we are using PagerDuty!' }],
    ['incident.status_update_published', 'data.incident_status_update.json', { statusUpdateMessage: 'A fix for this incident is being developed' }],
    ['incident.responder.added', 'data.incident_responder.json', { responder: { userId: 'PVMGSML', userSummary: 'Maeve', escalationPolicyId: 'PJFWPEP', message: 'Please help me make the tests pass', state: 'pending' } }],
  ])('decodes %s with the data object from PagerDuty’s docs (%s)', (eventType, file, expected) => {
    const envelope = eventOf(fixture('v3-official/incident.priority_updated.json'));
    const e = decodeOk({ event: { ...envelope, event_type: eventType, data: fixture(`v3-official/${file}`) } });
    expect(e).toMatchObject({ eventType, pdIncidentId: 'PGR0VU2', ...expected });
  });

  it('decodes an unknown event type (service.updated, agent null) as unknown', () => {
    const e = decodeOk(fixture('v3-official/service.updated.json'));
    expect(e).toMatchObject({ eventType: 'unknown', originalEventType: 'service.updated', resourceType: 'service', eventId: '01BRB6ZP4M6T8ZG4X6BP63ZB9O' });
    expect(e.agent).toBeUndefined();
    expect('pdIncidentId' in e).toBe(false);
  });

  it('keeps the incident id of an unknown incident event', () => {
    const base = eventOf(fixture('v3/annotated_v3.json'));
    const e = decodeOk({ event: { ...base, event_type: 'incident.workflow.started', data: { incident: { id: 'PWF1234', type: 'incident_reference' }, type: 'incident_workflow_instance' } } });
    expect(e).toMatchObject({ eventType: 'unknown', originalEventType: 'incident.workflow.started', pdIncidentId: 'PWF1234' });
  });

  it('tolerates a missing agent, unknown extra fields and a missing incident_key', () => {
    const body = fixture('v3/priority_updated_v3.json') as { event: Record<string, unknown> };
    const { agent: _agent, ...withoutAgent } = body.event;
    const data: Record<string, unknown> = { ...(body.event['data'] as Record<string, unknown>), brand_new_field: { nested: true } };
    delete data['incident_key'];
    const e = decodeOk({ event: { ...withoutAgent, data, also_new: 1 }, top_level_extra: 'x' });
    expect(e.agent).toBeUndefined();
    expect(e).toMatchObject({ eventType: 'incident.priority_updated', pdIncidentId: 'Q3B15VLMF3ASBD' });
    expect('incidentKey' in e).toBe(false);
  });

  it.each([
    ['not an object', 'hello'],
    ['no event', { foo: 1 }],
    ['no event id', { event: { event_type: 'incident.triggered', occurred_at: '2024-01-01T00:00:00Z', data: {} } }],
    ['bad timestamp', { event: { id: 'E1', event_type: 'incident.triggered', occurred_at: 'yesterday', data: { id: 'P1' } } }],
    ['a time at the end of JavaScript dates', { event: { id: 'E1', event_type: 'incident.triggered', occurred_at: '+275760-09-13T00:00:00Z', data: { id: 'P1' } } }],
    ['incident data without id', { event: { id: 'E1', event_type: 'incident.triggered', occurred_at: '2024-01-01T00:00:00Z', data: { title: 'x' } } }],
    ['note without content', { event: { id: 'E1', event_type: 'incident.annotated', occurred_at: '2024-01-01T00:00:00Z', data: { incident: { id: 'P1' } } } }],
  ])('returns ok:false, never throws (%s)', (_name, body) => {
    const r = decodePagerDutyV3Event(body);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason.length).toBeGreaterThan(0);
  });
});

describe('legacy V2', () => {
  it('maps incident.trigger to incident.triggered with the message id as event id', () => {
    const r = decodePagerDutyV2Webhook(fixture('v2/trigger_v2.json'));
    if (!r.ok) throw new Error(r.reason);
    expect(r.events).toHaveLength(1);
    expect(r.events[0]).toMatchObject({
      eventType: 'incident.triggered',
      source: 'v2',
      eventId: '69a7ced0-a2cd-11e7-a799-22000a15839c',
      occurredAt: '2017-09-26T15:14:36Z',
      pdIncidentId: 'PRORDTY',
      pdIncidentNumber: 33,
      title: 'My new incident',
      serviceId: 'PN49J75',
      serviceName: 'Production XDB Cluster',
      urgency: 'high',
      incidentKey: null,
      htmlUrl: 'https://webdemo.pagerduty.com/incidents/PRORDTY',
      agent: { id: 'P553OPV', summary: 'Laura Haley', type: 'user_reference' },
      assignees: [{ id: 'P553OPV', summary: 'Laura Haley' }],
    });
  });

  it('maps every legacy event name and keeps others as unknown', () => {
    const template = (fixture('v2/trigger_v2.json') as { messages: Record<string, unknown>[] }).messages[0] ?? {};
    const names = ['incident.acknowledge', 'incident.resolve', 'incident.assign', 'incident.escalate', 'incident.delegate', 'incident.annotate', 'incident.unacknowledge', 'incident.custom'];
    const body = { messages: names.map((event, i) => ({ ...template, event, id: `m${i}` })) };
    const r = decodePagerDutyV2Webhook(body);
    if (!r.ok) throw new Error(r.reason);
    expect(r.events.map((e) => e.eventType)).toEqual([
      'incident.acknowledged',
      'incident.resolved',
      'incident.reassigned',
      'incident.escalated',
      'incident.delegated',
      'incident.annotated',
      'incident.unacknowledged',
      'unknown',
    ]);
    expect(r.events.map((e) => e.eventId)).toEqual(names.map((_n, i) => `m${i}`));
    expect(r.events[7]).toMatchObject({ originalEventType: 'incident.custom', pdIncidentId: 'PRORDTY' });
  });

  it('rejects the whole body when one message is malformed', () => {
    const good = (fixture('v2/trigger_v2.json') as { messages: unknown[] }).messages[0];
    const r = decodePagerDutyV2Webhook({ messages: [good, { event: 'incident.trigger' }] });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/message 1/);
  });
});

describe('decodePagerDutyWebhook / parsePagerDutyWebhook', () => {
  it('detects V3 and V2 bodies', () => {
    const v3 = decodePagerDutyWebhook(fixture('v3/resolved_v3.json'));
    const v2 = decodePagerDutyWebhook(fixture('v2/trigger_v2.json'));
    expect(v3.ok && v3.version === 'v3' && v3.events[0]?.eventType).toBe('incident.resolved');
    expect(v2.ok && v2.version === 'v2' && v2.events[0]?.eventType).toBe('incident.triggered');
  });

  it('parses raw bytes and reports invalid JSON as a value', () => {
    const r = parsePagerDutyWebhook(Buffer.from(fixtureText('v3/acknowledged_v3.json'), 'utf8'));
    expect(r.ok && r.events[0]?.eventType).toBe('incident.acknowledged');
    const bad = parsePagerDutyWebhook('{"event": ');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.reason).toMatch(/not JSON/);
  });
});
