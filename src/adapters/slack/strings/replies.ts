/**
 * What Kranz answers the person who asked (ephemeral replies to slash
 * commands, buttons, shortcuts and modals). Refusals are in `errors.ts`.
 */
import type { ActionKind } from '../../../domain/events.ts';
import { esc } from '../blocks/format.ts';

/** One line of `/incident list`. */
interface OpenIncidentRow { number: number; severity: string; status: string; channelId: string | null; title: string }

const inc = (n: number): string => `INC-${n}`;

export const REPLIES = {
  declared: (number: number, severity: string) => `:rotating_light: Declared ${inc(number)} (${severity}). Kranz is opening its channel and inviting you.`,
  severitySet: (severity: string) => `Severity set to ${severity}.`,
  severityChanged: (severity: string) => `Severity changed to ${severity}.`,
  roleAssigned: (userId: string, role: string) => `<@${userId}> is now ${role}.`,
  noteAdded: 'Added to the timeline.',
  addedToTimeline: ':pushpin: Added to the incident timeline.',
  customerContacted: ':telephone_receiver: Customer contact recorded and ticked on the checklist.',
  rootCauseRecorded: 'Root cause recorded for the report.',
  actionAdded: (kind: ActionKind) => `Action added (${kind === 'prevent' ? 'prevent it' : 'fail better'}).`,
  resolved: ':white_check_mark: Resolved. Close it with `/incident close` to draft the report.',
  resolvedByButton: ':white_check_mark: Resolved.',
  reopened: 'Reopened.',
  closed: ':lock: Closed. The drafted report is being posted here.',
  redrafted: 'Report re-drafted; posting it here.',
  updatePosted: ':mega: Status update posted and relayed.',
  pageQueued: ':pager: Page queued for PagerDuty.',
  /** The page's text when the person gave none. */
  defaultPageMessage: 'Kranz page',
  unknownSeverityField: 'Unknown severity.',
  openIncidents: (rows: readonly OpenIncidentRow[]) => rows.length
    ? `*Open incidents*\n${rows.map((r) => `• *${inc(r.number)}* ${r.severity} · ${r.status} · ${r.channelId ? `<#${r.channelId}>` : '(channel pending)'} · ${esc(r.title)}`).join('\n')}`
    : 'No open incidents. :tada:',
  /** A retried request that had applied already: the same answer, and that nothing changed. */
  duplicate: (success: string) => `${success} (already done; nothing changed)`,
  warning: (text: string) => `:warning: ${text}`,
  updateOutsideIncident: ':warning: Run `/incident update` in an incident channel.',
  statusOutsideIncident: ':warning: This channel is not an incident channel. `/incident list` shows the open ones.',
  unknownPagerDutyService: (name: string, configured: string[]) =>
    `:warning: Unknown PagerDuty service "${name}". Configured: ${configured.join(', ') || 'none'}.`,
  remindersOff: ':warning: Reminders are not running on this Kranz.',
  /** The database (or a bug) failed after the request was stored: it will apply on recovery. */
  storedForLater: ':hourglass: Kranz could not record this yet; it is stored and will apply shortly.',
};
