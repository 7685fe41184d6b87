/** The words of the customer notices in an incident channel (attached, removed, report sent, mitigated). */
import type { MessageSpec } from '../../../domain/effects.ts';
import type { IncidentState } from '../../../domain/incident.ts';
import type { CustomerPolicy, Policy } from '../../../domain/policy.ts';
import { relayTargets } from '../../../domain/handlers/updates.ts';
import { channelLink, md, slackDate, type Mrkdwn } from '../mrkdwn.ts';

type CustomerNotice = Extract<MessageSpec, { template: 'customer_attached' | 'customer_detached' | 'customer_report_sent' | 'mitigated' }>;

function customerOf(s: IncidentState, policy: Policy, id: string): CustomerPolicy | undefined {
  return s.policy?.customers.find((c) => c.id === id) ?? policy.customers.find((c) => c.id === id);
}

export function customerNoticeText(m: CustomerNotice, s: IncidentState, policy: Policy): Mrkdwn {
  const inc = `INC-${s.number}`;
  switch (m.template) {
    case 'customer_attached': {
      const c = customerOf(s, policy, m.customer);
      const name = c?.name ?? m.customer;
      const contact = c ? `${c.mainContact.name}${c.mainContact.phone ? ` (${c.mainContact.phone})` : ''}` : 'their main contact';
      const why = m.via === 'only_configured' ? ' (the only customer configured; remove it if they are not affected)' : '';
      const relay = c?.slackChannel && relayTargets(policy, s).includes(c.slackChannel) ? md` Status updates now go to ${channelLink(c.slackChannel)} too.` : md``;
      return md`:office: *${name}* is attached to ${inc}${why}. Call ${contact} first.${relay}`;
    }
    case 'customer_detached': {
      const c = customerOf(s, policy, m.customer);
      const call = m.callRemoved ? md` Their call (${c?.mainContact.name ?? 'their main contact'}) is off the checklist.` : md``;
      return md`${c?.name ?? m.customer} is no longer attached to ${inc}; status updates are not relayed to them any more.${call}`;
    }
    case 'customer_report_sent':
      if (m.emails?.length) return md`:outbox_tray: The customer report was sent to ${customerOf(s, policy, m.customer)?.name ?? m.customer} by email (${m.emails.join(', ')}).`;
      return md`:outbox_tray: The customer report was sent to ${customerOf(s, policy, m.customer)?.name ?? m.customer}${m.channel ? md` in ${channelLink(m.channel)}` : md``}.`;
    case 'mitigated':
      return md`Impact on ${inc} is mitigated as of ${slackDate(m.at, '{time}')}. Keep monitoring; \`/incident resolve\` when it is over.`;
  }
}

/** Ephemeral answers to the customer commands and buttons. */
export const CUSTOMER_REPLIES = {
  attached: (name: string) => md`${name} attached: their contact is on the checklist and updates will reach their channel.`,
  detached: md`Customer removed from the incident.`,
  sent: md`:outbox_tray: Sent. The customer report is in their channel.`,
  sentByEmail: md`:outbox_tray: Sent. The customer report is on its way to their contacts by email.`,
  alreadySent: md`That customer report was already sent (nothing changed).`,
  changed: md`:warning: The incident changed since this draft was posted, so it was not sent. Run \`/incident report\` and review the new draft.`,
  acknowledged: md`:white_check_mark: Acknowledged.`,
  mitigated: md`Mitigation recorded.`,
  /** `was`: the value the correction replaced, when it recorded one. */
  corrected: (label: string, at: string, was?: string) => md`${label} corrected to ${at}${was ? md` (was ${was})` : md``}. The report uses it from now on.`,
  reportEdited: md`Customer report updated; \`/incident report\` re-drafts it for review.`,
};
