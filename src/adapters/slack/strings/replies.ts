/**
 * What Kranz answers the person who asked (ephemeral replies to slash
 * commands, buttons, shortcuts and modals). Refusals are in `errors.ts`.
 */
import type { LinkCheck } from '../../../app/link-pagerduty.ts';
import type { ActionKind } from '../../../domain/events.ts';
import { channelLink, joinMd, link, md, mention, type Mrkdwn } from '../mrkdwn.ts';
import { shortPagerDutyTitle } from './messages.ts';

/** One line of `/incident list`. */
interface OpenIncidentRow { number: number; severity: string; status: string; channelId: string | null; title: string }

const inc = (n: number): string => `INC-${n}`;

export const REPLIES = {
  declared: (number: number, severity: string) => md`:rotating_light: Declared ${inc(number)} (${severity}). Kranz is opening its channel and inviting you.`,
  severitySet: (severity: string) => md`Severity set to ${severity}.`,
  severityChanged: (severity: string) => md`Severity changed to ${severity}.`,
  roleAssigned: (userId: string, role: string) => md`${mention(userId)} is now ${role}.`,
  noteAdded: md`Added to the timeline.`,
  addedToTimeline: md`:pushpin: Added to the incident timeline.`,
  customerContacted: md`:telephone_receiver: Customer contact recorded and ticked on the checklist.`,
  rootCauseRecorded: md`Root cause recorded for the report.`,
  actionAdded: (kind: ActionKind) => md`Action added (${kind === 'prevent' ? 'prevent it' : 'fail better'}).`,
  resolved: md`:white_check_mark: Resolved. Close it with \`/incident close\` to draft the report.`,
  resolvedByButton: md`:white_check_mark: Resolved.`,
  reopened: md`Reopened.`,
  closed: md`:lock: Closed. The drafted report is being posted here.`,
  redrafted: md`Report re-drafted; posting it here.`,
  updatePosted: md`:mega: Status update posted and relayed.`,
  pageQueued: md`:pager: Page queued for PagerDuty.`,
  /**
   * A PagerDuty incident linked: which, and what follows. Checked in PagerDuty, it is named as PagerDuty
   * names it; not checked (PagerDuty did not answer, or Kranz has no token), by its id, saying why.
   * `brief`: the answer to a retried request, whose check is not known any more. `invite` (checked only):
   * whether its service's on-call responders are being invited here (`linkInvitesOnCall`).
   */
  pagerDutyLinked: (number: number, pdIncidentId: string, check: LinkCheck, brief = false, invite?: 'invite' | 'private' | 'over'): Mrkdwn => {
    const found = check.kind === 'found' ? check.incident : undefined;
    const which = found ? md`${found.url ? link(found.url, `#${found.number}`) : `#${found.number}`} (${shortPagerDutyTitle(found.title)})` : md`${pdIncidentId}`;
    const linked = md`:link: Linked PagerDuty incident ${which} to ${inc(number)}.`;
    if (brief) return linked;
    const unchecked = check.kind === 'unavailable'
      ? md` PagerDuty could not be asked about it just now, so it is linked by its id, unchecked: if the id is wrong, nothing will arrive.`
      : check.kind === 'unchecked' ? md` Kranz has no PagerDuty API token to check it with, so it is linked by its id.` : md``;
    const oncall = !found ? md``
      : invite === 'invite' ? md` Kranz is inviting the on-call responders of its PagerDuty service to this channel.`
      : invite === 'private' ? md` ${inc(number)} is private, so Kranz invites no one to it: \`/invite\` the responders you need.` : md``;
    return md`${linked}${unchecked} Its PagerDuty events show on the timeline here from now on, and \`/incident page @person\` adds responders to it.${oncall}`;
  },
  /** A link undone; the PagerDuty incident's events no longer come here, and a trigger of it opens nothing. */
  pagerDutyUnlinked: (number: number, pdIncidentId: string): Mrkdwn =>
    md`:link: Unlinked PagerDuty incident ${pdIncidentId} from ${inc(number)}. Its later PagerDuty events are not recorded here, and do not open an incident; \`/incident link ${pdIncidentId}\` links it again.`,
  /** The page's text when the person gave none. */
  defaultPageMessage: 'Kranz page',
  unknownSeverityField: 'Unknown severity.',
  openIncidents: (rows: readonly OpenIncidentRow[]) => rows.length
    ? md`*Open incidents*\n${joinMd(rows.map((r) => md`• *${inc(r.number)}* ${r.severity} · ${r.status} · ${r.channelId ? channelLink(r.channelId) : '(channel pending)'} · ${r.title}`), '\n')}`
    : md`No open incidents. :tada:`,
  /** A retried request that had applied already: the same answer, and that nothing changed. */
  duplicate: (success: Mrkdwn) => md`${success} (already done; nothing changed)`,
  warning: (text: Mrkdwn) => md`:warning: ${text}`,
  updateOutsideIncident: md`:warning: Run \`/incident update\` in an incident channel.`,
  statusOutsideIncident: md`:warning: This channel is not an incident channel. \`/incident list\` shows the open ones.`,
  unknownPagerDutyService: (name: string, configured: string[]) =>
    md`:warning: Unknown PagerDuty service "${name}". Configured: ${configured.join(', ') || 'none'}.`,
  remindersOff: md`:warning: Reminders are not running on this Kranz.`,
  /** The database (or a bug) failed after the request was stored: it will apply on recovery. */
  storedForLater: md`:hourglass: Kranz could not record this yet; it is stored and will apply shortly.`,
};
