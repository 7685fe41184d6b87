/** Analytics arithmetic: medians from the declaration, promises kept, SLA budget per customer and month, grouping. */
import { describe, expect, it } from 'vitest';
import { computeAnalytics, promises, type StatusMark } from '../../src/domain/analytics.ts';
import type { IncidentState } from '../../src/domain/incident.ts';
import { testPolicy } from '../helpers/domain.ts';
import { asIncidentId, asPdIncidentId, asPdServiceId } from '../../src/domain/ids.ts';

const min = (m: number, base = '2026-03-02T10:00:00.000Z'): string => new Date(Date.parse(base) + m * 60_000).toISOString();

function incident(id: string, o: Omit<Partial<IncidentState>, 'times'> & { times?: Partial<IncidentState['times']> } = {}): IncidentState {
  const { times, ...rest } = o;
  return {
    id: asIncidentId(id), number: 1, title: 't', description: '', severity: 'SEV1', status: 'resolved', private: false, roles: {}, members: [], customers: [],
    pagerDutyIncidents: [], checklist: [], statusUpdates: 0, lastActivityAt: min(0), actionItems: [], notes: [], eventCount: 1,
    ...rest,
    times: { declaredAt: min(0), ...times },
  };
}

describe('analytics', () => {
  it('counts a promise kept when the next update or the resolve came in time, broken when late or overdue now', () => {
    const marks: StatusMark[] = [
      { incidentId: 'a', type: 'status_update_posted', at: min(0), nextUpdateAt: min(30) },
      { incidentId: 'a', type: 'status_update_posted', at: min(25), nextUpdateAt: min(40) }, // kept the first
      { incidentId: 'a', type: 'resolved', at: min(50) }, // broke the second
      { incidentId: 'b', type: 'status_update_posted', at: min(0), nextUpdateAt: min(10) }, // nothing since: overdue at 20
      { incidentId: 'c', type: 'status_update_posted', at: min(0), nextUpdateAt: min(60) }, // not due yet
    ];
    const p = promises(marks, Date.parse(min(20)));
    expect(p.get('a')).toEqual({ due: 2, kept: 1 });
    expect(p.get('b')).toEqual({ due: 1, kept: 0 });
    expect(p.get('c')).toEqual({ due: 0, kept: 0 });
  });

  it('takes medians from the declaration per month, severity, service and customer, and the SLA budget per customer and month', () => {
    const incidents = [
      incident('a', { severity: 'SEV1', customers: ['acme'], pagerDutyIncidents: [{ id: asPdIncidentId('P1'), serviceId: asPdServiceId('SVC-DB') }], times: { impactStartedAt: min(-10), acknowledgedAt: min(2), customerContactedAt: min(8), mitigatedAt: min(20), resolvedAt: min(33) } }),
      incident('b', { severity: 'SEV1', times: { acknowledgedAt: min(4), mitigatedAt: min(10), resolvedAt: min(40) } }),
      incident('c', { severity: 'SEV2', customers: ['acme'], times: { declaredAt: min(0, '2026-04-05T00:00:00.000Z'), resolvedAt: min(5, '2026-04-05T00:00:00.000Z') } }),
    ];
    const a = computeAnalytics(incidents, [], testPolicy, Date.parse('2026-05-01T00:00:00Z'));
    expect(a.byMonth.map((r) => [r.key, r.incidents, r.medianAcknowledgeMs, r.medianResolveMs])).toEqual([
      ['2026-03', 2, 3 * 60_000, 36.5 * 60_000],
      ['2026-04', 1, undefined, 5 * 60_000],
    ]);
    expect(a.bySeverity.map((r) => r.key)).toEqual(['SEV1', 'SEV2']);
    expect(a.byService.map((r) => [r.key, r.incidents])).toEqual([['(no PagerDuty service)', 2], ['SVC-DB', 1]]);
    expect(a.byCustomer.find((r) => r.key === 'acme')).toMatchObject({ incidents: 2, medianCustomerContactMs: 8 * 60_000 });
    // 99.9 % over 30 days: 43.2 minutes of budget. INC a: impact from -10 to 33 = 43 minutes.
    expect(a.slaBudget[0]).toMatchObject({ customer: 'acme', month: '2026-03', incidents: 1, impactMinutes: 43, budgetMinutes: 43.2 });
    expect(a.slaBudget[0]?.usedPercent).toBeCloseTo(99.54, 2);
    expect(a.monthSeverity).toEqual([{ month: '2026-03', severity: 'SEV1', incidents: 2 }, { month: '2026-04', severity: 'SEV2', incidents: 1 }]);
  });

  it('counts a reopened incident\'s impact without the time it was resolved, as the report does', () => {
    // Impact from 0, resolved at 30, reopened at 90, resolved at 95: 35 minutes, not 95.
    const reopened = incident('r', { customers: ['acme'], times: { resolvedAt: min(95) } });
    const marks: StatusMark[] = [
      { incidentId: 'r', type: 'resolved', at: min(30) },
      { incidentId: 'r', type: 'reopened', at: min(90) },
      { incidentId: 'r', type: 'resolved', at: min(95) },
    ];
    expect(computeAnalytics([reopened], marks, testPolicy, Date.parse(min(200))).slaBudget[0]?.impactMinutes).toBe(35);
    // Reopened and still open: counts up to now.
    const open = incident('o', { customers: ['acme'], status: 'investigating', times: {} });
    const openMarks: StatusMark[] = [{ incidentId: 'o', type: 'resolved', at: min(10) }, { incidentId: 'o', type: 'reopened', at: min(40) }];
    expect(computeAnalytics([open], openMarks, testPolicy, Date.parse(min(50))).slaBudget[0]?.impactMinutes).toBe(20);
    // A corrected final resolution (state) wins over the logged one (mark).
    const corrected = incident('c', { customers: ['acme'], times: { resolvedAt: min(25) } });
    expect(computeAnalytics([corrected], [{ incidentId: 'c', type: 'resolved', at: min(30) }], testPolicy, Date.parse(min(200))).slaBudget[0]?.impactMinutes).toBe(25);
  });
});
