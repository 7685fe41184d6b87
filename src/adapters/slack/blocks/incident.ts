/** Block Kit for the incident's own messages: pinned summary, checklist, status updates, announcements. */
import { customersNotCalled, isCallItem } from '../../../domain/call-items.ts';
import type { IncidentState } from '../../../domain/incident.ts';
import type { Policy } from '../../../domain/policy.ts';
import type { IncidentEventOf } from '../../../domain/events.ts';
import { whichCustomerBlocks } from './customers.ts';
import { context, divider, message, mrkdwnObject, section, slackDate, statusEmoji, title, user, type Block, type SlackMessage } from './format.ts';
import { channelLink, joinMd, link, md, mention as mentionOf, plain, type Mrkdwn } from '../mrkdwn.ts';

/** `INC-7: title` for plain_text (headers), where Slack parses nothing. */
const plainTitle = (s: Pick<IncidentState, 'number' | 'title'>): string => `INC-${s.number}: ${s.title}`;

export type { SlackMessage } from './format.ts';

const field = (label: string, value: Mrkdwn): Mrkdwn => md`*${label}*\n${value}`;

/** A customer's name as the incident knows it. */
const customerName = (s: IncidentState, policy: Policy | undefined, id: string): string =>
  s.policy?.customers.find((c) => c.id === id)?.name ?? policy?.customers.find((c) => c.id === id)?.name ?? id;

/** With several customers attached, those whose call item is still open (by name); else none. */
function notCalledYet(s: IncidentState, policy: Policy): string[] {
  return s.customers.length > 1 ? customersNotCalled(s).map((id) => customerName(s, policy, id)) : [];
}

export function summaryMessage(s: IncidentState, policy: Policy): SlackMessage {
  const customers = s.customers.map((id) => policy.customers.find((c) => c.id === id)?.name ?? id);
  const fields = [
    field('Severity', plain(s.severity)),
    field('Status', md`${statusEmoji(s.status)} ${s.status}`),
    field('Commander', user(s.roles.commander)),
    field('Customer liaison', user(s.roles.customer_liaison)),
    field('Customers', customers.length ? plain(customers.join(', ')) : md`_none recorded_`),
    field('Declared', slackDate(s.times.declaredAt)),
  ];
  if (s.nextUpdateDueAt && s.status !== 'closed') fields.push(field('Next update due', slackDate(s.nextUpdateDueAt, '{time}')));
  if (s.times.customerContactedAt) fields.push(field('Customer contacted', slackDate(s.times.customerContactedAt, '{time}')));
  const uncalled = notCalledYet(s, policy);
  if (uncalled.length && s.status !== 'closed') fields.push(field('Not called yet', plain(uncalled.join(', '))));
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: plainTitle(s).slice(0, 150) } },
    { type: 'section', fields: fields.slice(0, 10).map(mrkdwnObject) },
  ];
  if (s.description) blocks.push(section(md`*Impact*\n${s.description}`));
  if (s.pagerDutyIncidents.length) {
    blocks.push(context(md`PagerDuty: ${joinMd(s.pagerDutyIncidents.map((p) => (p.url ? link(p.url, p.number ? `#${p.number}` : p.id) : plain(p.id))), ', ')}`));
  }
  blocks.push(context(md`Kranz keeps this message up to date. \`/incident help\` lists the commands.`));
  return message(md`${title(s)} (${s.severity}, ${s.status})`, blocks);
}

export function checklistMessage(s: IncidentState, policy?: Policy): SlackMessage {
  const blocks: Block[] = [section(md`*Checklist for INC-${s.number}*`)];
  // Several customers configured and none attached: the first question is which.
  const configured = s.policy?.customers ?? policy?.customers ?? [];
  const impacting = s.checklist.some((i) => isCallItem(i) && !i.doneAt);
  if (impacting && s.customers.length === 0 && configured.length > 1 && s.status !== 'closed') blocks.push(...whichCustomerBlocks(s, configured));
  for (const item of s.checklist) {
    if (item.doneAt) {
      blocks.push(section(md`:white_check_mark: ~${item.title}~\n_done by ${user(item.doneBy)} ${slackDate(item.doneAt, '{time}')}_`));
      continue;
    }
    // Each customer's call comes first; ticking one records the call to that customer only.
    const call = isCallItem(item);
    const first = call ? md`:telephone_receiver: *Before anything else:* ` : md`:white_square: `;
    const due = item.dueAt ? md`\n_due ${slackDate(item.dueAt, '{time}')}_` : md``;
    blocks.push({
      type: 'section',
      text: mrkdwnObject(md`${first}${item.title}${due}`),
      accessory: {
        type: 'button',
        action_id: `checklist_done:${item.id}`,
        text: { type: 'plain_text', text: 'Mark done' },
        value: JSON.stringify({ incidentId: s.id, itemId: item.id }),
        ...(call ? { style: 'primary' } : {}),
      },
    });
  }
  if (s.checklist.length === 0) blocks.push(context(md`No checklist for this severity.`));
  const open = s.checklist.filter((i) => !i.doneAt).length;
  return message(md`Checklist for INC-${s.number}: ${open} open`, blocks.slice(0, 50));
}

export function statusUpdateMessage(s: IncidentState, e: IncidentEventOf<'status_update_posted'>, audience: 'incident' | 'relay'): SlackMessage {
  const head = md`${statusEmoji(e.data.status)} *INC-${s.number} status update: ${e.data.status}* (${s.severity})`;
  const by = e.actor.kind === 'user' ? user(e.actor.userId) : md`Kranz`;
  const blocks: Block[] = [
    section(md`${head}\n${e.data.summary}`),
    context(md`Posted ${slackDate(e.occurredAt, '{time}')} by ${by} · next update by ${slackDate(e.data.nextUpdateAt, '{time}')}`),
  ];
  if (audience === 'relay') blocks.push(context(md`Relayed from the incident channel for INC-${s.number}: ${s.title}`));
  return message(md`INC-${s.number} status update (${e.data.status}): ${e.data.summary}`, blocks);
}

export function announcementMessage(s: IncidentState, channelId: string | undefined): SlackMessage {
  const where = channelId ? channelLink(channelId) : md`its channel (being created)`;
  return message(
    md`:rotating_light: ${s.severity} declared: INC-${s.number} ${s.title}`,
    [section(md`:rotating_light: *${s.severity} declared: ${title(s)}*\nCommander ${user(s.roles.commander)} · join ${where}`)],
  );
}

export function reminderMessage(text: Mrkdwn, mention: readonly string[], snoozeValue: string): SlackMessage {
  const who = joinMd(mention.map(mentionOf), ' ');
  return message(md`${text} ${who}`.trim(), [
    section(who.length ? md`${text}\n${who}` : text),
    {
      type: 'actions',
      elements: [
        { type: 'button', action_id: 'open_update_modal', text: { type: 'plain_text', text: 'Post an update' }, style: 'primary', value: snoozeValue },
        { type: 'button', action_id: 'snooze_reminder', text: { type: 'plain_text', text: 'Snooze 15 min' }, value: snoozeValue },
      ],
    },
  ]);
}

export function pagerDutyEventMessage(s: IncidentState, text: Mrkdwn, action?: { kind: 'resolve' } | { kind: 'change_severity'; severity: string }): SlackMessage {
  const blocks: Block[] = [section(md`:pager: ${text}`)];
  if (action?.kind === 'resolve') {
    blocks.push({ type: 'actions', elements: [{ type: 'button', action_id: 'pd_resolve', style: 'primary', text: { type: 'plain_text', text: `Resolve INC-${s.number}` }, value: s.id }] });
  } else if (action?.kind === 'change_severity') {
    blocks.push({ type: 'actions', elements: [{ type: 'button', action_id: 'pd_change_severity', text: { type: 'plain_text', text: `Change to ${action.severity}` }, value: JSON.stringify({ incidentId: s.id, severity: action.severity }) }] });
  }
  return message(md`PagerDuty: ${text}`, blocks);
}

export function statusEphemeral(s: IncidentState, policy: Policy): Mrkdwn {
  const open = s.checklist.filter((i) => !i.doneAt).map((i) => md`• ${i.title}`);
  const next = s.nextUpdateDueAt ? md`, next due ${slackDate(s.nextUpdateDueAt, '{time}')}` : md``;
  const lines: Mrkdwn[] = [
    md`*${title(s)}*: ${s.severity}, ${s.status}, commander ${user(s.roles.commander)}`,
    md`Declared ${slackDate(s.times.declaredAt)}; ${s.statusUpdates} status update(s)${next}`,
    contactLine(s, policy),
    open.length ? md`Open checklist items:\n${joinMd(open, '\n')}` : md`Checklist complete.`,
  ];
  if (s.customers.length) lines.push(md`Customers: ${s.customers.map((id) => policy.customers.find((c) => c.id === id)?.name ?? id).join(', ')}`);
  return joinMd(lines, '\n');
}

/** The customer call in `/incident status`: the first contact, and with several customers who is still to be called. */
function contactLine(s: IncidentState, policy: Policy): Mrkdwn {
  const uncalled = notCalledYet(s, policy);
  const first = s.times.customerContactedAt ? md`Customer contacted ${slackDate(s.times.customerContactedAt, '{time}')}` : undefined;
  if (uncalled.length) return md`${first ? md`${first}. ` : md``}:warning: Not called yet: ${uncalled.join(', ')}.`;
  return first ?? md`:warning: The customer has not been contacted yet.`;
}

export { divider };
