/**
 * The words of a permission refusal: what the person tried, and who may do it
 * on this incident (by mention, so she knows whom to ask). Ephemeral only.
 * Ids come from the incident and the policy, never from what someone typed.
 */
import type { DomainErrorParams } from '../../../domain/errors.ts';
import type { PermissionAction, RuleEntry, WhoMay } from '../../../domain/permissions.ts';
import { isUserGroupId } from '../../../domain/permissions.ts';
import { channelLink, groupMention, joinMd, md, mention, type Mrkdwn } from '../mrkdwn.ts';

/** The action as the refusal says it: "You may not … INC-7". */
export const ACTION_WORDS: Record<PermissionAction, string> = {
  declare: 'declare incidents',
  resolve: 'resolve',
  close: 'close',
  reopen: 'reopen',
  change_severity: 'change the severity of',
  assign_commander: 'change the commander of',
  page: 'page people for',
  link_pagerduty: 'link PagerDuty incidents to',
  send_customer_report: 'send customer reports of',
  assign_role: 'assign roles on',
  add_note: 'add notes to',
  add_timeline_entry: 'add messages to the timeline of',
  post_status_update: 'post status updates for',
  update_checklist: 'tick the checklist of',
  edit_customers: 'change the customers of',
  record_times: 'record key times of',
  snooze_reminder: 'snooze reminders of',
};

const who1 = (id: string): Mrkdwn => (isUserGroupId(id) ? groupMention(id) : mention(id));
const list = (ids: readonly string[]): Mrkdwn => joinMd(ids.map(who1), ', ');

/** One rule entry in words, with the people it stands for here when there are any. */
function entryWords(e: RuleEntry, who: WhoMay): Mrkdwn | undefined {
  switch (e) {
    case 'everyone': return md`everyone`;
    case 'commander': return who.commanderId ? md`the commander (${mention(who.commanderId)})` : md`the commander`;
    case 'role_holders': return who.roleHolders.length ? md`people with a role on the incident (${list(who.roleHolders)})` : md`people with a role on the incident`;
    case 'channel_members': return who.channelId ? md`members of ${channelLink(who.channelId)}` : md`members of the incident channel`;
    case 'admins': return who.admins.length ? md`Kranz admins (${list(who.admins)})` : undefined;
    default: return who1(e);
  }
}

function joinOr(parts: readonly Mrkdwn[]): Mrkdwn {
  if (parts.length <= 1) return parts[0] ?? md``;
  return md`${joinMd(parts.slice(0, -1), ', ')} or ${parts[parts.length - 1] ?? md``}`;
}

const subject = (action: PermissionAction, number: number | undefined): string =>
  action === 'declare' ? ACTION_WORDS.declare : `${ACTION_WORDS[action]} ${number === undefined ? 'this incident' : `INC-${number}`}`;

export function permissionDeniedText(p: DomainErrorParams['permission.denied']): Mrkdwn {
  // `admins` with nobody configured stands for nobody: leave it out rather than promise help that is not there.
  const who = p.who.rule.map((e) => entryWords(e, p.who)).filter((x): x is Mrkdwn => x !== undefined);
  const may = who.length ? md`Only ${joinOr(who)} may do that.` : md`Nobody may do that under this workspace's Kranz policy.`;
  // An incident PagerDuty opened starts without a commander: say how to become one, which anyone in the channel may.
  const claim = p.action !== 'declare' && p.action !== 'assign_commander' && !p.who.commanderId && p.who.rule.includes('commander')
    ? md` It has no commander yet: to steer it, take the role with \`/incident role commander @you\`.` : md``;
  return md`You may not ${subject(p.action, p.number)}. ${may}${claim} (Set in the Kranz policy, \`permissions.allow.${p.action}\`.)`;
}

export function permissionUnverifiedText(p: DomainErrorParams['permission.unverified']): Mrkdwn {
  const what = p.check === 'channel' ? 'whether you are in the incident channel' : 'whether you are in the user group the Kranz policy names';
  return md`Kranz could not check with Slack ${what} just now, so it did not let you ${subject(p.action, p.number)}. Nothing was changed; try again in a minute.`;
}
