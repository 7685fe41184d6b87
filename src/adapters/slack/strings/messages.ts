/**
 * The words of the messages Kranz posts in an incident channel for a fact
 * the domain reported (`MessageSpec`): severity changes, resolution, and the
 * questions that go with a PagerDuty event.
 */
import type { MessageSpec, PdSuggestion } from '../../../domain/effects.ts';

type Notice = Extract<MessageSpec, { template: 'severity_changed' | 'resolved' | 'text' }>;

/** The text of a plain notice in the incident channel. */
export function noticeText(m: Notice, incidentNumber: number): string {
  switch (m.template) {
    case 'text':
      return m.text;
    case 'severity_changed':
      return `Severity changed from ${m.from} to ${m.to}. Status updates are now due every ${Math.round(m.updateCadenceMs / 60_000)} min.`;
    case 'resolved':
      return `INC-${incidentNumber} is resolved. Post a final customer update, record the root cause (\`/incident root-cause …\`) and actions (\`/incident action prevent|fail-better …\`), then \`/incident close\` to draft the report.`;
  }
}

/** A PagerDuty event's summary and the question its suggested action asks. */
export function pagerDutyEventText(m: Extract<MessageSpec, { template: 'pagerduty_event' }>): string {
  // Rows queued before facts were recorded carry the question in their text already.
  if (!m.facts || !m.action) return m.text;
  return `${m.text}: ${suggestionQuestion(m.action)}`;
}

function suggestionQuestion(a: PdSuggestion): string {
  return a.kind === 'resolve' ? 'resolve the incident?' : `change the severity to ${a.severity}?`;
}
