/**
 * `/incident …`: open modals before anything slow (trigger ids expire in
 * 3 s), call one use case and answer ephemerally: in the ack, which the
 * receiver holds a few milliseconds for the answer, or on response_url when
 * the answer comes later than that.
 */
import type { AllMiddlewareArgs, App, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { applyCommand, type CommandMeta, type CommandOutcome } from '../../../app/apply-command.ts';
import { closeIncident, redraftReport } from '../../../app/close-incident.ts';
import { declareIncident } from '../../../app/declare-incident.ts';
import { linkPagerDutyIncident } from '../../../app/link-pagerduty.ts';
import { unlinkPagerDutyIncident } from '../../../app/unlink-pagerduty.ts';
import { findIncident, listOpenIncidentsFor } from '../../../app/query-incidents.ts';
import { snoozeReminder } from '../../../app/snooze-reminder.ts';
import type { Command, PageTarget } from '../../../domain/commands.ts';
import { asSlackChannelId, asSlackUserId, type SlackChannelId, type SlackUserId } from '../../../domain/ids.ts';
import { linkInvitesOnCall } from '../../../domain/handlers/pagerduty.ts';
import { findCustomer, findSeverity } from '../../../domain/policy.ts';
import { keyTimesSection } from '../../../domain/report/index.ts';
import { openTimesForm, recordedWas } from './times.ts';
import { parseWallTime } from '../../../domain/wall-time.ts';
import { CUSTOMER_REPLIES } from '../strings/customers.ts';
import { errorText } from '../strings/errors.ts';
import { statusEphemeral } from '../blocks/incident.ts';
import { declareModal, updateModal } from '../blocks/modals.ts';
import { customerForm } from '../blocks/customer-modal.ts';
import { humanSlackError, isSlackApiError } from '../errors.ts';
import { contactedCustomer } from '../contacted-customer.ts';
import { parseIncidentCommand, usageText, type Subcommand } from '../command-parser.ts';
import { REPLIES } from '../strings/replies.ts';
import { md, plain, type Mrkdwn } from '../mrkdwn.ts';
import { snoozedText } from '../strings/snooze.ts';
import { outcomeText, userMeta, type SlackListenerDeps } from './context.ts';
import { isUnstorable } from '../../intake/storable.ts';
import { answerInAckOf, appliedWithRequestOf, arrivalOrderOf, type AnswerInAck } from '../receiver.ts';
import { slashCommandKey } from '../request-body.ts';
import { answerOnResponseUrl, type Press } from './answers.ts';
import type { ArrivalOrder } from '../../../lib/ordered-lanes.ts';

/** Kranz's one slash command. */
const INCIDENT_COMMAND = '/incident';

/**
 * `/incident` is routed by a global middleware rather than `app.command`:
 * Bolt offers each request to every registered listener in turn (each one's
 * matchers run, in a chain of async calls over a copy of the arguments), and
 * for the request Kranz gets most, a note typed in a busy channel, that walk
 * over the other seventeen listeners cost 14–32 % of Kranz's CPU per note
 * (paired ack runs: 0.34 and 0.40 ms against 0.50 and 0.47 ms; BENCHMARKS.md).
 * The middleware handles `/incident` and stops there; every other request
 * goes on to the listeners as before.
 */
export function registerCommands(app: App, deps: SlackListenerDeps): void {
  const onIncidentCommand = async ({ command, client, context }: SlackCommandMiddlewareArgs & AllMiddlewareArgs) => {
    const parsed = parseIncidentCommand(command.text ?? '');
    // No ack here: the receiver holds it (up to its deadline) so the answer can ride on it (`answerInAckOf`).
    const asker = { body: { user: { id: command.user_id }, channel: { id: command.channel_id }, response_url: command.response_url }, client };
    const tell = answerer(asker, answerInAckOf(context), deps);
    if (!parsed.ok) return void (await tell(parsed.message));
    const sub = parsed.command;
    if (sub.kind === 'help') return void (await tell(usageText()));
    // The command's key is its stored request's dedupe key, so its batch can mark the request processed.
    const key = slashCommandKey(command.team_id, command.trigger_id);
    const meta = { ...userMeta(command.user_id, command.channel_id, key, command.user_name), requestKey: key };
    try {
      await handle(sub, {
        deps, client, tell, channelId: asSlackChannelId(command.channel_id), userId: asSlackUserId(command.user_id), triggerId: command.trigger_id, meta,
        inArrivalOrder: arrivalOrderOf(context), appliedWithRequest: appliedWithRequestOf(context),
      });
    } catch (e) {
      deps.log.error({ err: e, sub: sub.kind }, 'slash command failed');
      if (isSlackApiError(e)) {
        await tell(REPLIES.warning(plain(humanSlackError(e)))).catch(() => undefined);
        return;
      }
      if (isUnstorable(e)) {
        // The database refuses this data: it never will apply, so never say it will.
        await tell(md`:warning: Kranz could not record this: the database refused it (${(e as Error).message.slice(0, 200)}). Nothing was applied.`).catch(() => undefined);
        throw e;
      }
      // Not Slack: the database or a bug. The request is stored; rethrowing leaves it for the recovery pass.
      await tell(REPLIES.storedForLater).catch(() => undefined);
      throw e;
    }
  };
  app.use(async (args) => {
    if ((args.body as { command?: unknown }).command !== INCIDENT_COMMAND) return args.next();
    // Bolt gives a command's middleware the same arguments as a command listener's.
    await onIncidentCommand(args as unknown as SlackCommandMiddlewareArgs & AllMiddlewareArgs);
  });
}

/** Answers ephemerally: in the ack when it is still open, else on response_url, else (refused or hung) in the channel or by DM. */
function answerer(asker: Press, inAck: AnswerInAck, deps: SlackListenerDeps): (text: Mrkdwn) => Promise<void> {
  return async (text) => {
    const message = { response_type: 'ephemeral' as const, text: text.text };
    if (!(await inAck(message))) await answerOnResponseUrl(asker, message, text, deps);
  };
}

interface Ctx {
  deps: SlackListenerDeps;
  client: WebClient;
  /** The one ephemeral answer to the person who typed the command. */
  tell: (text: Mrkdwn) => Promise<void>;
  channelId: SlackChannelId;
  userId: SlackUserId;
  triggerId: string;
  meta: CommandMeta;
  /** When this request may queue its command: after the note before it in the channel (lib/ordered-lanes.ts). */
  inArrivalOrder: ArrivalOrder;
  /** Tells the receiver the command's batch marked the stored request processed (`CommandMeta.requestKey`). */
  appliedWithRequest: () => void;
}

const say = (ctx: Ctx, text: Mrkdwn) => ctx.tell(text);

async function handle(sub: Exclude<Subcommand, { kind: 'help' }>, ctx: Ctx): Promise<void> {
  const { deps, channelId } = ctx;
  const here = { channelId };
  /** Applies `c` and answers with `success` (or what it makes of the outcome) when it applied. */
  const apply = async (c: Command, success: Mrkdwn | ((o: CommandOutcome) => Mrkdwn)): Promise<void> => {
    const o = await applyCommand(deps.app, here, c, ctx.meta, ctx.inArrivalOrder);
    // Applied now (not refused, not a retry of one applied before): its batch marked the request.
    if (o.ok && !o.duplicate) ctx.appliedWithRequest();
    await say(ctx, outcomeText(o, typeof success === 'function' ? success(o) : success));
  };
  switch (sub.kind) {
    case 'declare_modal':
      await ctx.client.views.open({ trigger_id: ctx.triggerId, view: declareModal(deps.app.policy, { channelId, userId: ctx.userId }) as never });
      return;
    case 'declare': {
      const o = await declareIncident(deps.app, { title: sub.title, severity: sub.severity, commanderId: ctx.userId }, ctx.meta);
      await say(ctx, outcomeText(o, o.ok ? REPLIES.declared(o.state.number, o.state.severity) : md``));
      return;
    }
    case 'update_modal': {
      const s = await findIncident(deps.app, here);
      if (!s) return void (await say(ctx, REPLIES.updateOutsideIncident));
      const cadence = findSeverity(deps.app.policy, s.severity)?.updateCadenceMs ?? 1_800_000;
      await ctx.client.views.open({ trigger_id: ctx.triggerId, view: updateModal({ id: s.id, number: s.number, status: s.status }, cadence, channelId, customerForm(deps.app.policy, s)) as never });
      return;
    }
    case 'sev':
      return apply({ type: 'change_severity', severity: sub.severity }, REPLIES.severitySet(sub.severity));
    case 'role':
      return apply({ type: 'assign_role', role: sub.role, userId: sub.userId }, REPLIES.roleAssigned(sub.userId, sub.role));
    case 'note':
      return apply({ type: 'add_note', text: sub.text, via: 'command', authorId: ctx.userId }, REPLIES.noteAdded);
    case 'customer_contacted': {
      const { customer, details } = contactedCustomer(sub.text, deps.app.policy);
      return apply({ type: 'record_customer_contact', details, ...(customer ? { customer } : {}) }, REPLIES.customerContacted);
    }
    case 'root_cause':
      return apply({ type: 'record_root_cause', text: sub.text }, REPLIES.rootCauseRecorded);
    case 'action':
      return apply({ type: 'add_action_item', kind: sub.actionKind, text: sub.text }, REPLIES.actionAdded(sub.actionKind));
    case 'resolve':
      return apply(sub.summary ? { type: 'resolve', summary: sub.summary } : { type: 'resolve' }, REPLIES.resolved);
    case 'reopen':
      return apply(sub.reason ? { type: 'reopen', reason: sub.reason } : { type: 'reopen' }, REPLIES.reopened);
    case 'close': {
      const o = await closeIncident(deps.app, here, ctx.meta);
      await say(ctx, outcomeText(o, REPLIES.closed));
      return;
    }
    case 'report': {
      const o = await redraftReport(deps.app, here, ctx.meta);
      await say(ctx, outcomeText(o, REPLIES.redrafted));
      return;
    }
    case 'status': {
      const s = await findIncident(deps.app, here);
      await say(ctx, s ? statusEphemeral(s, deps.app.policy) : REPLIES.statusOutsideIncident);
      return;
    }
    case 'list': {
      const rows = await listOpenIncidentsFor(deps.app, ctx.userId);
      await say(ctx, REPLIES.openIncidents(rows));
      return;
    }
    case 'page': {
      const target: PageTarget | undefined = sub.target.kind === 'user' ? { kind: 'user', userId: sub.target.userId } : pdService(deps, sub.target.name);
      if (!target) return void (await say(ctx, REPLIES.unknownPagerDutyService(sub.target.kind === 'service' ? sub.target.name : '', deps.app.policy.pagerduty.services.map((s) => s.serviceId))));
      return apply({ type: 'page', target, message: sub.message || REPLIES.defaultPageMessage }, REPLIES.pageQueued);
    }
    case 'link_pagerduty': {
      const o = await linkPagerDutyIncident(deps.app, here, sub.pdIncidentId, ctx.meta);
      if (!o.ok) return void (await say(ctx, REPLIES.warning(errorText(o.error))));
      if (o.check.kind === 'unavailable') deps.log.warn({ pdIncidentId: sub.pdIncidentId, incident: `INC-${o.state.number}`, reason: o.check.reason }, 'PagerDuty could not be asked about the incident being linked; linked by its id');
      await say(ctx, o.duplicate ? REPLIES.duplicate(REPLIES.pagerDutyLinked(o.state.number, sub.pdIncidentId, { kind: 'unchecked' }, true)) : REPLIES.pagerDutyLinked(o.state.number, sub.pdIncidentId, o.check, false, linkInvitesOnCall(o.state)));
      return;
    }
    case 'unlink_pagerduty': {
      const o = await unlinkPagerDutyIncident(deps.app, here, sub.pdIncidentId, ctx.meta);
      await say(ctx, outcomeText(o, REPLIES.pagerDutyUnlinked(o.ok ? o.state.number : 0, sub.pdIncidentId)));
      return;
    }
    case 'customer_attach': {
      const c = findCustomer(deps.app.policy, sub.customer);
      return apply({ type: 'attach_customer', customer: sub.customer, via: 'command' }, CUSTOMER_REPLIES.attached(c?.name ?? sub.customer));
    }
    case 'customer_detach':
      return apply({ type: 'detach_customer', customer: sub.customer }, CUSTOMER_REPLIES.detached);
    case 'acknowledge':
      return apply({ type: 'acknowledge' }, CUSTOMER_REPLIES.acknowledged);
    case 'mitigated': {
      const at = sub.at ? parseWallTime(sub.at, deps.app.clock.now(), deps.app.policy.reportTimezone) : undefined;
      if (sub.at && !at) return void (await say(ctx, REPLIES.warning(errorText({ code: 'time.invalid', params: { given: sub.at } }))));
      return apply(at ? { type: 'mark_mitigated', at: at.toISOString() } : { type: 'mark_mitigated' }, CUSTOMER_REPLIES.mitigated);
    }
    case 'correct_time': {
      const at = parseWallTime(sub.at, deps.app.clock.now(), deps.app.policy.reportTimezone);
      if (!at) return void (await say(ctx, REPLIES.warning(errorText({ code: 'time.invalid', params: { given: sub.at } }))));
      return apply({ type: 'correct_time', key: sub.key, at: at.toISOString(), ...(sub.reason ? { reason: sub.reason } : {}) },
        (o) => CUSTOMER_REPLIES.corrected(sub.key.replace(/_/g, ' '), sub.at, recordedWas(o, deps.app.policy.reportTimezone)));
    }
    case 'times': {
      const s = await findIncident(deps.app, here);
      if (!s) return void (await say(ctx, REPLIES.statusOutsideIncident));
      try {
        // The form: every key time with its source, each correctable in place.
        await openTimesForm(deps, ctx.client, s, { triggerId: ctx.triggerId, channelId });
        return;
      } catch (e) {
        // No form (an expired trigger, views.open refused): the key times as text, with the command that corrects one.
        deps.log.warn({ err: e instanceof Error ? e.message : String(e) }, 'the key times form could not be opened; answering with the list');
      }
      const events = await deps.app.store.transaction((u) => u.events.loadEvents(s.id));
      await say(ctx, md`*Key times of INC-${s.number}* (${deps.app.policy.reportTimezone})\n\`\`\`\n${keyTimesSection(events, deps.app.policy)}\n\`\`\`\nCorrect one with \`/incident times ${'<key>'} HH:MM [reason]\`, e.g. \`/incident times restored 14:28\`.`);
      return;
    }
    case 'customer_report_edit': {
      const customer = sub.customer ? findCustomer(deps.app.policy, sub.customer)?.id ?? sub.customer : undefined;
      return apply({ type: 'edit_customer_report', ...(customer ? { customer } : {}), part: sub.part, ...(sub.withheld ? { withheld: true } : { text: sub.text ?? '' }) }, CUSTOMER_REPLIES.reportEdited);
    }
    case 'snooze': {
      if (!deps.remindersRunning) return void (await say(ctx, REPLIES.remindersOff));
      const r = await snoozeReminder(deps.app, here, { durationMs: sub.durationMs, ...(sub.reminder ? { kind: sub.reminder } : {}) }, ctx.meta);
      await say(ctx, r.ok ? snoozedText(r, deps.app.policy.reportTimezone) : REPLIES.warning(errorText(r.error)));
      return;
    }
  }
}

function pdService(deps: SlackListenerDeps, name: string): PageTarget | undefined {
  const s = deps.app.policy.pagerduty.services.find((x) => x.serviceId.toLowerCase() === name.toLowerCase());
  return s ? { kind: 'service', serviceId: s.serviceId } : undefined;
}
