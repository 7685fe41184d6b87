/**
 * The recorded sentence for a PagerDuty event: kept in the event as its
 * `summary`, quoted by the report's timeline and shown in Slack. It states
 * what happened; questions to responders (resolve? change the severity?) are
 * the Slack adapter's to ask.
 */
import type { PagerDutyEventFacts } from '../events.ts';

export function pagerDutyEventSummary(eventType: string, f: PagerDutyEventFacts): string {
  const who = f.agentName ? ` by ${f.agentName}` : '';
  const what: Record<string, string> = {
    'incident.acknowledged': `Acknowledged${who}`,
    'incident.unacknowledged': 'Unacknowledged (the acknowledgement timed out)',
    'incident.escalated': `Escalated${who}`,
    'incident.reassigned': `Reassigned${who}`,
    'incident.delegated': `Delegated${who}`,
    'incident.reopened': `Reopened${who}`,
    'incident.resolved': `PagerDuty resolved it${who}`,
    'incident.priority_updated': `Priority changed to ${f.priorityName ?? 'none'}${who}`,
    'incident.responder.added': `Responder requested: ${f.responderName ?? 'someone'}`,
    'incident.responder.replied': `${f.responderName ?? 'A responder'} replied: ${f.responderState ?? 'answered'}`,
    'incident.status_update_published': `Status update published in PagerDuty: ${f.statusUpdateMessage ?? ''}`,
    'incident.conference_bridge.updated': 'Conference bridge updated',
  };
  const num = f.pdIncidentNumber ? `PagerDuty #${f.pdIncidentNumber}` : 'PagerDuty';
  return `${num}: ${what[eventType] ?? eventType}`;
}
