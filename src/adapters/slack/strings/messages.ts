/**
 * The words of the messages Kranz posts in an incident channel for a fact
 * the domain reported (`MessageSpec`): severity changes, resolution, the
 * questions that go with a PagerDuty event, and PagerDuty links made and undone.
 */
import type { MessageSpec, PdSuggestion } from '../../../domain/effects.ts';
import { link, md, mention, plain, type Mrkdwn } from '../mrkdwn.ts';

type Notice = Extract<MessageSpec, { template: 'severity_changed' | 'resolved' | 'text' | 'statuspage_live' | 'publication_failed' }>;

/** The text of a plain notice in the incident channel. */
export function noticeText(m: Notice, incidentNumber: number): Mrkdwn {
  switch (m.template) {
    case 'text':
      // Free text queued by an older Kranz: it may quote outside text, so all of it is text.
      return plain(m.text);
    case 'severity_changed':
      return md`Severity changed from ${m.from} to ${m.to}. Status updates are now due every ${Math.round(m.updateCadenceMs / 60_000)} min.`;
    case 'statuspage_live':
      // As text: Slack links a bare URL by itself, and an odd one stays harmless.
      return md`Status page incident for INC-${incidentNumber} is live: ${m.url}`;
    case 'publication_failed': {
      const what = m.channel === 'statuspage' ? md`The status page refused an update` : md`The mail server refused the email to ${m.to ?? 'a customer contact'}`;
      return md`:warning: ${what} of INC-${incidentNumber}: ${m.reason}. It was not published; fix the cause and post the update again.`;
    }
    case 'resolved':
      return md`INC-${incidentNumber} is resolved. Post a final customer update, record the root cause (\`/incident root-cause …\`) and actions (\`/incident action prevent|fail-better …\`), then \`/incident close\` to draft the report.`;
  }
}

/** A PagerDuty event's summary and the question its suggested action asks. */
export function pagerDutyEventText(m: Extract<MessageSpec, { template: 'pagerduty_event' }>): Mrkdwn {
  // The summary quotes PagerDuty's title, which comes from monitoring systems and email: text.
  // Rows queued before facts were recorded carry the question in their text already.
  if (!m.facts || !m.action) return plain(m.text);
  return md`${m.text}: ${suggestionQuestion(m.action)}`;
}

function suggestionQuestion(a: PdSuggestion): string {
  return a.kind === 'resolve' ? 'resolve the incident?' : `change the severity to ${a.severity}?`;
}

/** PagerDuty titles come from monitoring systems: text, and not a wall of it (cut by code point). */
const MAX_PD_TITLE = 200;
export const shortPagerDutyTitle = (t: string): string => {
  const chars = [...t];
  return chars.length > MAX_PD_TITLE ? `${chars.slice(0, MAX_PD_TITLE - 1).join('')}…` : t;
};

/**
 * Someone linked a PagerDuty incident: which (its number, linked to PagerDuty, when PagerDuty said it),
 * and what follows: its events land here, and (`resolvesThere`, the policy's `resolve_in_pagerduty`)
 * resolving here resolves it.
 */
export function pagerDutyLinkedText(m: Extract<MessageSpec, { template: 'pagerduty_linked' }>, incidentNumber: number, resolvesThere: boolean): Mrkdwn {
  const which = pagerDutyIncidentName(m);
  const title = m.title ? md` (${shortPagerDutyTitle(m.title)})` : md``;
  const who = m.by ? md`${mention(m.by)} linked` : md`Linked`;
  const resolve = resolvesThere ? md`, and resolving INC-${incidentNumber} resolves it in PagerDuty` : md``;
  return md`:link: ${who} PagerDuty incident ${which}${title} to INC-${incidentNumber}: its PagerDuty events show on this timeline from now on${resolve}.`;
}

/**
 * Someone undid a link: which PagerDuty incident (as the link named it), and what stops: its events
 * landing here, and (`resolvesThere`) resolving here resolving it there.
 */
export function pagerDutyUnlinkedText(m: Extract<MessageSpec, { template: 'pagerduty_unlinked' }>, incidentNumber: number, resolvesThere: boolean): Mrkdwn {
  const who = m.by ? md`${mention(m.by)} unlinked` : md`Unlinked`;
  const resolve = resolvesThere ? md`, and resolving INC-${incidentNumber} no longer resolves it in PagerDuty` : md``;
  return md`:link: ${who} PagerDuty incident ${pagerDutyIncidentName(m)} from INC-${incidentNumber}: its PagerDuty events no longer show on this timeline${resolve}.`;
}

/** A PagerDuty incident by its number when known (else its id), linked to PagerDuty when its URL is. */
function pagerDutyIncidentName(m: { pdIncidentId: string; pdIncidentNumber?: number; url?: string }): Mrkdwn {
  const label = m.pdIncidentNumber === undefined ? m.pdIncidentId : `#${m.pdIncidentNumber}`;
  return m.url ? link(m.url, label) : plain(label);
}
