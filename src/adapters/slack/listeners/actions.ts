/** Buttons: checklist items, PagerDuty suggestions, reminder snooze and "post an update". Each press is answered on its own response_url (answers.ts), so someone outside the channel hears back where they pressed. */
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { applyCommand } from '../../../app/apply-command.ts';
import { findIncident } from '../../../app/query-incidents.ts';
import { asIncidentId, asSlackChannelId } from '../../../domain/ids.ts';
import { snoozeReminder } from '../../../app/snooze-reminder.ts';
import { findSeverity } from '../../../domain/policy.ts';
import { updateModal } from '../blocks/modals.ts';
import { customerForm } from '../blocks/customer-modal.ts';
import { humanSlackError } from '../errors.ts';
import { errorText } from '../strings/errors.ts';
import { REPLIES } from '../strings/replies.ts';
import { md, plain } from '../mrkdwn.ts';
import { snoozedText } from '../strings/snooze.ts';
import { outcomeText, userMeta, type SlackListenerDeps } from './context.ts';
import { answerPress } from './answers.ts';

function parseValue<T>(raw: string | undefined): T | undefined {
  try {
    return JSON.parse(raw ?? '') as T;
  } catch {
    return undefined;
  }
}

export function registerActions(app: App, deps: SlackListenerDeps): void {
  app.action<BlockAction<ButtonAction>>(/^checklist_done:/, async ({ ack, action, body, client }) => {
    await ack();
    const v = parseValue<{ incidentId: string; itemId: string }>(action.value);
    const channelId = body.channel?.id;
    if (!v) return;
    // Keyed by the item: a double click or two people clicking tick it once.
    const o = await applyCommand(deps.app, { id: asIncidentId(v.incidentId) }, { type: 'check_item', itemId: v.itemId }, userMeta(body.user.id, channelId, `slack:check:${v.incidentId}:${v.itemId}`, body.user.name));
    if (!o.ok) await answerPress({ body, client }, outcomeText(o, md``), deps);
  });

  app.action<BlockAction<ButtonAction>>('pd_resolve', async ({ ack, action, body, client }) => {
    await ack();
    const channelId = body.channel?.id;
    const o = await applyCommand(deps.app, { id: asIncidentId(action.value ?? '') }, { type: 'resolve' }, userMeta(body.user.id, channelId, `slack:action:${body.container?.message_ts}:pd_resolve`, body.user.name));
    await answerPress({ body, client }, outcomeText(o, REPLIES.resolvedByButton), deps);
  });

  app.action<BlockAction<ButtonAction>>('pd_change_severity', async ({ ack, action, body, client }) => {
    await ack();
    const v = parseValue<{ incidentId: string; severity: string }>(action.value);
    const channelId = body.channel?.id;
    if (!v) return;
    const o = await applyCommand(deps.app, { id: asIncidentId(v.incidentId) }, { type: 'change_severity', severity: v.severity, reason: 'PagerDuty priority changed' }, userMeta(body.user.id, channelId, `slack:action:${body.container?.message_ts}:sev:${v.severity}`, body.user.name));
    await answerPress({ body, client }, outcomeText(o, REPLIES.severityChanged(v.severity)), deps);
  });

  app.action<BlockAction<ButtonAction>>('snooze_reminder', async ({ ack, action, body, client }) => {
    await ack();
    const v = parseValue<{ incidentId: string; reminder: string }>(action.value);
    const channelId = body.channel?.id;
    if (!v || !deps.remindersRunning || !channelId) return;
    const r = await snoozeReminder(deps.app, { channelId: asSlackChannelId(channelId) }, { kind: v.reminder, durationMs: 15 * 60_000 }, userMeta(body.user.id, channelId, `slack:action:${body.actions[0]?.action_ts}:snooze`, body.user.name));
    await answerPress({ body, client }, r.ok ? snoozedText(r, deps.app.policy.reportTimezone) : REPLIES.warning(errorText(r.error)), deps);
  });

  app.action<BlockAction<ButtonAction>>('open_update_modal', async ({ ack, body, client }) => {
    await ack();
    const channelId = body.channel?.id ?? '';
    try {
      const s = await findIncident(deps.app, { channelId: asSlackChannelId(channelId) });
      if (!s) return;
      const cadence = findSeverity(deps.app.policy, s.severity)?.updateCadenceMs ?? 1_800_000;
      await client.views.open({ trigger_id: body.trigger_id, view: updateModal({ id: s.id, number: s.number, status: s.status }, cadence, channelId, customerForm(deps.app.policy, s)) as never });
    } catch (e) {
      await answerPress({ body, client }, REPLIES.warning(plain(humanSlackError(e))), deps);
    }
  });
}
