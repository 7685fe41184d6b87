/**
 * The client's decoders against PagerDuty's own OpenAPI examples (copied in
 * test/fixtures/pagerduty/rest), so they are proven on real PagerDuty JSON and
 * not only on what the stand-in renders.
 */
import { describe, expect, it } from 'vitest';
import { decode } from '../../src/adapters/pagerduty/rest-types.ts';
import { fixture } from './helpers/fixtures.ts';

function ok<T>(r: { ok: true; value: T } | { ok: false; reason: string }): T {
  if (!r.ok) throw new Error(r.reason);
  return r.value;
}

describe('REST decoders on the OpenAPI examples', () => {
  it('getIncident', () => {
    expect(ok(decode.incident(fixture('rest/getIncident.response.200.json')))).toMatchObject({
      id: 'PT4KHLK',
      number: 1234,
      title: 'The server is on fire.',
      status: 'acknowledged',
      incidentKey: 'baf7cf21b1da41b4b0221008339ff357',
      serviceId: 'PIJ90N7',
      serviceName: 'My Mail Service',
    });
  });

  it('createIncident and updateIncident responses', () => {
    expect(ok(decode.incident(fixture('rest/createIncident.response.201.json')))).toMatchObject({
      id: 'PT4KHLK',
      status: 'triggered',
      priority: { id: 'P53ZZH5', name: 'P2' },
      escalationPolicyId: 'PT20YPA',
      assignees: [{ id: 'PXPGF42', summary: 'Earline Greenholt' }],
    });
    expect(ok(decode.incident(fixture('rest/updateIncident.response.200.json'))).id).toMatch(/^P/);
  });

  it('listServices, listPriorities and listOnCalls pages', () => {
    expect(ok(decode.servicesPage(fixture('rest/listServices.response.200.json')))).toEqual({
      items: [{ id: 'PIJ90N7', name: 'My Application Service', status: 'active', htmlUrl: 'https://subdomain.pagerduty.com/service-directory/PIJ90N7', escalationPolicyId: 'PT20YPA' }],
      more: false,
    });
    expect(ok(decode.prioritiesPage(fixture('rest/listPriorities.response.200.json'))).items.map((p) => p.name)).toEqual(['P1', 'P2', 'P3', 'P4', 'P5']);
    expect(ok(decode.onCallsPage(fixture('rest/listOnCalls.response.200.json')))).toEqual({
      items: [{ userId: 'PT23IWX', escalationPolicyId: 'PT20YPA', escalationLevel: 2 }],
      more: false,
    });
  });

  it('users, notes, status updates and responder requests', () => {
    expect(ok(decode.user(fixture('rest/getCurrentUser.response.200.json')))).toEqual({ id: 'PXPGF42', name: 'Earline Greenholt', email: '125.greenholt.earline@graham.name' });
    expect(ok(decode.user(fixture('rest/getUser.response.200.json'))).email).toContain('@');
    expect(ok(decode.note(fixture('rest/createIncidentNote.response.200.json')))).toEqual({
      id: 'PWL7QXS',
      content: 'Firefighters are on the scene.',
      createdAt: '2013-03-06T15:28:51-05:00',
      userId: 'PXPGF42',
    });
    expect(ok(decode.statusUpdate(fixture('rest/createIncidentStatusUpdate.response.200.json')))).toEqual({
      id: 'PWL7QXS',
      message: 'The server fire is spreading.',
      createdAt: '2013-03-06T15:28:51-05:00',
    });
    expect(ok(decode.responderRequest(fixture('rest/createIncidentResponderRequest.response.200.json')))).toEqual({
      incidentId: 'PXP12GZ',
      requesterId: 'P09TT3C',
      message: 'Please help with issue - join bridge at +1(234)-567-8910',
      requestedAt: '2018-08-16T14:55:17-07:00',
      targetIds: ['PL7A2O4'],
    });
  });

  it('reports what is missing instead of throwing', () => {
    const r = decode.incident({ incident: { id: 'P1', title: 'x' } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/incident_number/);
    expect(decode.servicesPage(null).ok).toBe(false);
  });
});
