/**
 * The Slack adapter words what the domain reports as facts. These pin the
 * sentences (they were built in the domain and app before) and show that rows
 * queued by an older Kranz, already worded, are still shown as they were.
 */
import { describe, expect, it } from 'vitest';
import { noticeText, pagerDutyEventText } from '../../src/adapters/slack/strings/messages.ts';
import { errorText } from '../../src/adapters/slack/strings/errors.ts';
import { transition } from '../../src/domain/transition.ts';
import type { MessageSpec } from '../../src/domain/effects.ts';
import { T0, declare, envFor, run } from '../helpers/domain.ts';
import { asPdIncidentId } from '../../src/domain/ids.ts';

const postedMessages = (r: ReturnType<typeof transition>): MessageSpec[] =>
  r.ok ? r.value.effects.flatMap((f) => (f.kind === 'slack.post' ? [f.message] : [])) : [];

describe('Slack strings for domain facts', () => {
  it('words a severity change and a resolution from the facts the domain gives', () => {
    const s = run([declare()]);
    const [sev] = postedMessages(transition(s, { type: 'change_severity', severity: 'SEV2' }, T0, envFor()));
    expect(sev).toEqual({ template: 'severity_changed', from: 'SEV1', to: 'SEV2', updateCadenceMs: 30 * 60_000 });
    expect(sev && sev.template === 'severity_changed' && noticeText(sev, 42).text).toBe('Severity changed from SEV1 to SEV2. Status updates are now due every 30 min.');
    const [res] = postedMessages(transition(s, { type: 'resolve' }, T0, envFor()));
    expect(res && res.template === 'resolved' && noticeText(res, 42).text).toBe(
      'INC-42 is resolved. Post a final customer update, record the root cause (`/incident root-cause …`) and actions (`/incident action prevent|fail-better …`), then `/incident close` to draft the report.',
    );
  });

  it('records what PagerDuty said as facts and asks the question of its suggestion in Slack only', () => {
    const s = run([declare({ pagerDuty: { pdIncidentId: asPdIncidentId('PX1'), pdIncidentNumber: 7 } })]);
    const r = transition(s, { type: 'record_pagerduty_event', eventType: 'incident.priority_updated', pdIncidentId: asPdIncidentId('PX1'), facts: { pdIncidentNumber: 7, priorityName: 'P2', agentName: 'Mara' }, suggestion: { severity: 'SEV2' } }, T0, envFor());
    expect(r.ok && r.value.events[0]?.data).toMatchObject({ summary: 'PagerDuty #7: Priority changed to P2 by Mara' });
    const [m] = postedMessages(r);
    expect(m?.template === 'pagerduty_event' && pagerDutyEventText(m).text).toBe('PagerDuty #7: Priority changed to P2 by Mara: change the severity to SEV2?');
  });

  it('shows rows queued before the facts as they were worded', () => {
    expect(noticeText({ template: 'text', text: 'Severity changed from SEV1 to SEV3.' }, 1).text).toBe('Severity changed from SEV1 to SEV3.');
    const legacy: MessageSpec = { template: 'pagerduty_event', eventType: 'incident.resolved', text: 'PagerDuty #7: PagerDuty resolved it: resolve the incident?', action: { kind: 'resolve' } };
    expect(legacy.template === 'pagerduty_event' && pagerDutyEventText(legacy).text).toBe('PagerDuty #7: PagerDuty resolved it: resolve the incident?');
  });

  it('says why an update with no words left for customers was refused, and what to write', () => {
    const summary = { field: 'summary' as const, removed: ['channel' as const, 'pagerduty_link' as const] };
    expect(errorText({ code: 'customer_update.no_words', params: { parts: [summary] } }).text).toBe(
      'Once Slack channel links and PagerDuty links are taken out, the summary says nothing to customers, so nothing was posted. Write a sentence customers can read: what they notice and what you are doing.',
    );
    expect(errorText({ code: 'customer_update.no_words', params: { parts: [summary, { field: 'title', removed: ['mention'] }] } }).text).toBe(
      'Once Slack channel links, PagerDuty links and Slack mentions are taken out, the summary and the customer-facing title say nothing to customers, so nothing was posted. '
      + 'Write a sentence customers can read: what they notice and what you are doing. Name what customers notice, e.g. "Checkout is slow".',
    );
  });
});
