/** Block Kit for the incident's own messages: pinned summary, checklist, status updates, announcements. */
import { CALL_CUSTOMER_ITEM, type IncidentState } from '../../../domain/incident.ts';
import type { Policy } from '../../../domain/policy.ts';
import type { IncidentEventOf } from '../../../domain/events.ts';
import { whichCustomerBlocks } from './customers.ts';
import { STATUS_EMOJI, context, divider, esc, section, slackDate, title, user, type Block } from './format.ts';

export interface SlackMessage {
  text: string;
  blocks: Block[];
}

export function summaryMessage(s: IncidentState, policy: Policy): SlackMessage {
  const customers = s.customers.map((id) => policy.customers.find((c) => c.id === id)?.name ?? id);
  const fields = [
    `*Severity*\n${s.severity}`,
    `*Status*\n${STATUS_EMOJI[s.status] ?? ''} ${s.status}`,
    `*Commander*\n${user(s.roles.commander)}`,
    `*Customer liaison*\n${user(s.roles.customer_liaison)}`,
    `*Customers*\n${customers.length ? esc(customers.join(', ')) : '_none recorded_'}`,
    `*Declared*\n${slackDate(s.times.declaredAt)}`,
  ];
  if (s.nextUpdateDueAt && s.status !== 'closed') fields.push(`*Next update due*\n${slackDate(s.nextUpdateDueAt, '{time}')}`);
  if (s.times.customerContactedAt) fields.push(`*Customer contacted*\n${slackDate(s.times.customerContactedAt, '{time}')}`);
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: title(s).slice(0, 150) } },
    { type: 'section', fields: fields.slice(0, 10).map((text) => ({ type: 'mrkdwn', text })) },
  ];
  if (s.description) blocks.push(section(`*Impact*\n${esc(s.description)}`));
  if (s.pagerDutyIncidents.length) {
    blocks.push(context(`PagerDuty: ${s.pagerDutyIncidents.map((p) => (p.url ? `<${p.url}|${p.number ? `#${p.number}` : p.id}>` : p.id)).join(', ')}`));
  }
  blocks.push(context('Kranz keeps this message up to date. `/incident help` lists the commands.'));
  return { text: `${title(s)} (${s.severity}, ${s.status})`, blocks };
}

export function checklistMessage(s: IncidentState, policy?: Policy): SlackMessage {
  const blocks: Block[] = [section(`*Checklist for INC-${s.number}*`)];
  // Several customers configured and none attached: the first question is which.
  const configured = s.policy?.customers ?? policy?.customers ?? [];
  const impacting = s.checklist.some((i) => i.id === CALL_CUSTOMER_ITEM && !i.doneAt);
  if (impacting && s.customers.length === 0 && configured.length > 1 && s.status !== 'closed') blocks.push(...whichCustomerBlocks(s, configured));
  for (const item of s.checklist) {
    if (item.doneAt) {
      blocks.push(section(`:white_check_mark: ~${esc(item.title)}~\n_done by ${user(item.doneBy)} ${slackDate(item.doneAt, '{time}')}_`));
      continue;
    }
    const first = item.id === CALL_CUSTOMER_ITEM ? ':telephone_receiver: *Before anything else:* ' : ':white_square: ';
    const due = item.dueAt ? `\n_due ${slackDate(item.dueAt, '{time}')}_` : '';
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `${first}${esc(item.title)}${due}`.slice(0, 3000) },
      accessory: {
        type: 'button',
        action_id: `checklist_done:${item.id}`,
        text: { type: 'plain_text', text: 'Mark done' },
        value: JSON.stringify({ incidentId: s.id, itemId: item.id }),
        ...(item.id === CALL_CUSTOMER_ITEM ? { style: 'primary' } : {}),
      },
    });
  }
  if (s.checklist.length === 0) blocks.push(context('No checklist for this severity.'));
  const open = s.checklist.filter((i) => !i.doneAt).length;
  return { text: `Checklist for INC-${s.number}: ${open} open`, blocks: blocks.slice(0, 50) };
}

export function statusUpdateMessage(s: IncidentState, e: IncidentEventOf<'status_update_posted'>, audience: 'incident' | 'relay'): SlackMessage {
  const head = `${STATUS_EMOJI[e.data.status] ?? ''} *INC-${s.number} status update: ${e.data.status}* (${s.severity})`;
  const blocks: Block[] = [
    section(`${head}\n${esc(e.data.summary)}`),
    context(`Posted ${slackDate(e.occurredAt, '{time}')} by ${e.actor.kind === 'user' ? user(e.actor.userId) : 'Kranz'} · next update by ${slackDate(e.data.nextUpdateAt, '{time}')}`),
  ];
  if (audience === 'relay') blocks.push(context(`Relayed from the incident channel for INC-${s.number}: ${esc(s.title)}`));
  return { text: `INC-${s.number} status update (${e.data.status}): ${e.data.summary}`.slice(0, 3000), blocks };
}

export function announcementMessage(s: IncidentState, channelId: string | undefined): SlackMessage {
  const where = channelId ? `<#${channelId}>` : 'its channel (being created)';
  return {
    text: `:rotating_light: ${s.severity} declared: INC-${s.number} ${s.title}`,
    blocks: [section(`:rotating_light: *${s.severity} declared: ${esc(title(s))}*\nCommander ${user(s.roles.commander)} · join ${where}`)],
  };
}

export function reminderMessage(text: string, mention: string[], snoozeValue: string): SlackMessage {
  const who = mention.map((m) => `<@${m}>`).join(' ');
  return {
    text: `${text} ${who}`.trim(),
    blocks: [
      section(`${text}${who ? `\n${who}` : ''}`),
      {
        type: 'actions',
        elements: [
          { type: 'button', action_id: 'open_update_modal', text: { type: 'plain_text', text: 'Post an update' }, style: 'primary', value: snoozeValue },
          { type: 'button', action_id: 'snooze_reminder', text: { type: 'plain_text', text: 'Snooze 15 min' }, value: snoozeValue },
        ],
      },
    ],
  };
}

export function pagerDutyEventMessage(s: IncidentState, text: string, action?: { kind: 'resolve' } | { kind: 'change_severity'; severity: string }): SlackMessage {
  const blocks: Block[] = [section(`:pager: ${esc(text)}`)];
  if (action?.kind === 'resolve') {
    blocks.push({ type: 'actions', elements: [{ type: 'button', action_id: 'pd_resolve', style: 'primary', text: { type: 'plain_text', text: `Resolve INC-${s.number}` }, value: s.id }] });
  } else if (action?.kind === 'change_severity') {
    blocks.push({ type: 'actions', elements: [{ type: 'button', action_id: 'pd_change_severity', text: { type: 'plain_text', text: `Change to ${action.severity}` }, value: JSON.stringify({ incidentId: s.id, severity: action.severity }) }] });
  }
  return { text: `PagerDuty: ${text}`.slice(0, 3000), blocks };
}

export function statusEphemeral(s: IncidentState, policy: Policy): string {
  const open = s.checklist.filter((i) => !i.doneAt).map((i) => `• ${esc(i.title)}`);
  return [
    `*${esc(title(s))}*: ${s.severity}, ${s.status}, commander ${user(s.roles.commander)}`,
    `Declared ${slackDate(s.times.declaredAt)}; ${s.statusUpdates} status update(s)` + (s.nextUpdateDueAt ? `, next due ${slackDate(s.nextUpdateDueAt, '{time}')}` : ''),
    s.times.customerContactedAt ? `Customer contacted ${slackDate(s.times.customerContactedAt, '{time}')}` : ':warning: The customer has not been contacted yet.',
    open.length ? `Open checklist items:\n${open.join('\n')}` : 'Checklist complete.',
    s.customers.length ? `Customers: ${s.customers.map((id) => policy.customers.find((c) => c.id === id)?.name ?? id).join(', ')}` : '',
  ].filter(Boolean).join('\n');
}

export { divider };
