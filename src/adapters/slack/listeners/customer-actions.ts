/** Customer buttons: attach (the checklist's question), remove (the "attached" notice) and Send under a customer report; answered on the press's response_url (answers.ts). */
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { md } from '../mrkdwn.ts';
import { applyCommand } from '../../../app/apply-command.ts';
import { asIncidentId } from '../../../domain/ids.ts';
import { sendCustomerReport } from '../../../app/send-customer-report.ts';
import { ATTACH_ACTION, DETACH_ACTION, SEND_REPORT_ACTION, SEND_REPORT_EMAIL_ACTION } from '../blocks/customers.ts';
import { CUSTOMER_REPLIES } from '../strings/customers.ts';
import { errorText } from '../strings/errors.ts';
import { outcomeText, userMeta, type SlackListenerDeps } from './context.ts';
import { answerPress } from './answers.ts';

function parse<T>(raw: string | undefined): T | undefined {
  try {
    return JSON.parse(raw ?? '') as T;
  } catch {
    return undefined;
  }
}

export function registerCustomerActions(app: App, deps: SlackListenerDeps): void {
  app.action<BlockAction<ButtonAction>>(new RegExp(`^${ATTACH_ACTION}:`), async ({ ack, action, body, client }) => {
    await ack();
    const v = parse<{ incidentId: string; customer: string }>(action.value);
    const channelId = body.channel?.id;
    if (!v) return;
    // Keyed by incident and customer: two people clicking the same button attach it once.
    const o = await applyCommand(deps.app, { id: asIncidentId(v.incidentId) }, { type: 'attach_customer', customer: v.customer, via: 'button' }, userMeta(body.user.id, channelId, `slack:attach:${v.incidentId}:${v.customer}:${body.container?.message_ts ?? ''}`, body.user.name));
    if (!o.ok) await answerPress({ body, client }, outcomeText(o, md``), deps);
  });

  app.action<BlockAction<ButtonAction>>(DETACH_ACTION, async ({ ack, action, body, client }) => {
    await ack();
    const v = parse<{ incidentId: string; customer: string }>(action.value);
    const channelId = body.channel?.id;
    if (!v) return;
    const o = await applyCommand(deps.app, { id: asIncidentId(v.incidentId) }, { type: 'detach_customer', customer: v.customer }, userMeta(body.user.id, channelId, `slack:detach:${v.incidentId}:${v.customer}:${body.container?.message_ts ?? ''}`, body.user.name));
    await answerPress({ body, client }, outcomeText(o, CUSTOMER_REPLIES.detached), deps);
  });

  // Send (to the customer's Slack channel) and Send by email (to its contacts): the same review, two ways out.
  for (const [actionId, via] of [[SEND_REPORT_ACTION, 'slack'], [SEND_REPORT_EMAIL_ACTION, 'email']] as const) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, action, body, client }) => {
      await ack();
      const v = parse<{ incidentId: string; customer: string; sha256: string }>(action.value);
      const channelId = body.channel?.id;
      if (!v) return;
      // Keyed by the reviewed text and the way out: a double click sends it once; a re-drafted report gets its own button.
      const key = `slack:send-report${via === 'email' ? '-email' : ''}:${v.incidentId}:${v.customer}:${v.sha256}`;
      const o = await sendCustomerReport(deps.app, v.incidentId, v.customer, v.sha256, userMeta(body.user.id, channelId, key, body.user.name), via);
      const text = o.ok
        ? o.duplicate ? CUSTOMER_REPLIES.alreadySent : via === 'email' ? CUSTOMER_REPLIES.sentByEmail : CUSTOMER_REPLIES.sent
        : o.error.code === 'customer_report.changed' ? CUSTOMER_REPLIES.changed : md`:warning: ${errorText(o.error)}`;
      await answerPress({ body, client }, text, deps);
    });
  }
}
