/**
 * Block Kit for customers: the "attached" notice with its one-click remove,
 * the checklist's "which customer?" buttons, and a customer report posted
 * for review with its Send button. Nothing here reaches a customer: only the
 * Send click does, through the `send_customer_report` command.
 */
import type { IncidentState } from '../../../domain/incident.ts';
import type { CustomerPolicy } from '../../../domain/policy.ts';
import { context, message, mrkdwnObject, section, type Block, type SlackMessage } from './format.ts';
import { md, type Mrkdwn } from '../mrkdwn.ts';

export const ATTACH_ACTION = 'customer_attach';
export const DETACH_ACTION = 'customer_detach';
export const SEND_REPORT_ACTION = 'customer_report_send';
export const SEND_REPORT_EMAIL_ACTION = 'customer_report_send_email';

/** "Acme is attached" with a one-click Remove. */
export function customerAttachedMessage(s: IncidentState, customer: string, text: Mrkdwn, removable: boolean): SlackMessage {
  const blocks: Block[] = [{
    type: 'section',
    text: mrkdwnObject(text),
    ...(removable ? {
      accessory: {
        type: 'button', action_id: DETACH_ACTION, text: { type: 'plain_text', text: 'Remove' },
        value: JSON.stringify({ incidentId: s.id, customer }),
      },
    } : {}),
  }];
  return message(text.unemphasised(), blocks);
}

/** The checklist's first question when several customers are configured and none is attached: one button each. */
export function whichCustomerBlocks(s: IncidentState, customers: readonly CustomerPolicy[]): Block[] {
  if (customers.length === 0) return [];
  const buttons = customers.slice(0, 25).map((c) => ({
    type: 'button', action_id: `${ATTACH_ACTION}:${c.id}`, text: { type: 'plain_text', text: c.name.slice(0, 75) },
    value: JSON.stringify({ incidentId: s.id, customer: c.id }),
  }));
  return [
    section(md`:question: *Which customer is affected?* Attach each one: their contact goes on this checklist and status updates reach their channel.`),
    { type: 'actions', elements: buttons },
  ];
}

/** A customer report posted for review in the incident channel, with Send (and Send by email when available). */
export function customerReportReviewMessage(
  s: IncidentState,
  o: { customer: string; customerName: string; sha256: string; where: string; channel?: string; email?: string },
): SlackMessage {
  const value = JSON.stringify({ incidentId: s.id, customer: o.customer, sha256: o.sha256 });
  const buttons: Block[] = [];
  if (o.channel) buttons.push({ type: 'button', action_id: SEND_REPORT_ACTION, style: 'primary', text: { type: 'plain_text', text: `Send to ${o.customerName}`.slice(0, 75) }, value });
  if (o.email) buttons.push({ type: 'button', action_id: SEND_REPORT_EMAIL_ACTION, text: { type: 'plain_text', text: 'Send by email' }, value });
  const blocks: Block[] = [
    section(md`:memo: *Customer report for ${o.customerName}* (INC-${s.number}) is ready for review ${o.where}. It has not been sent.`),
    context(md`Edit or withhold a part with \`/incident customer-report ${'<customer>'} edit|withhold summary|updates|root-cause|measures [text]\`, then \`/incident report\` to re-draft.`),
  ];
  if (buttons.length) blocks.push({ type: 'actions', elements: buttons });
  else blocks.push(context(md`${o.customerName} has no Slack channel configured: send it yourself (\`kranz report INC-${s.number} --customer ${o.customer}\`).`));
  return message(md`Customer report for ${o.customerName} ready for review`, blocks);
}
