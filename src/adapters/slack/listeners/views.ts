/**
 * Modal submissions. Field errors are answered in the ack (Slack shows them
 * inline); everything else happens after the ack, and the result reaches the
 * user as an ephemeral message (or a DM when Kranz is not in that channel).
 */
import type { App, SlackViewMiddlewareArgs, ViewResponseAction } from '@slack/bolt';
import { applyCommand } from '../../../app/apply-command.ts';
import { findIncident } from '../../../app/query-incidents.ts';
import { declareIncident } from '../../../app/declare-incident.ts';
import { parseDuration } from '../../../domain/duration.ts';
import { asIncidentId, asSlackChannelId } from '../../../domain/ids.ts';
import { findSeverity } from '../../../domain/policy.ts';
import { DECLARE_CALLBACK, UPDATE_CALLBACK, parseDeclareSubmission, parseUpdateSubmission } from '../blocks/modals.ts';
import { REPLIES } from '../strings/replies.ts';
import { md } from '../mrkdwn.ts';
import { customerForm, parseCustomerFields, parseTick, reviewModal, REVIEW_CALLBACK, type ReviewDraft } from '../blocks/customer-modal.ts';
import { planCustomerUpdate, type CustomerFacingInput, type WordlessPart } from '../../../domain/customer-updates.ts';
import type { Status } from '../../../domain/events.ts';
import type { IncidentState } from '../../../domain/incident.ts';
import { wordlessFieldErrors, wordlessTickError } from '../strings/customer-updates.ts';
import { outcomeText, userMeta, type SlackListenerDeps } from './context.ts';
import { tell } from './answers.ts';

export function registerViews(app: App, deps: SlackListenerDeps): void {
  app.view(DECLARE_CALLBACK, async ({ ack, view, body, client }) => {
    const parsed = parseDeclareSubmission(view.state.values as never);
    const checked = parsed.ok && !findSeverity(deps.app.policy, parsed.value.severity) ? { ok: false as const, errors: { severity: REPLIES.unknownSeverityField } } : parsed;
    if (!(await ackSubmission(ack, checked)) || !parsed.ok) return;
    const meta = parseMeta(view.private_metadata);
    const userId = body.user.id;
    // The view id is the same for both requests of a double-clicked submit.
    const o = await declareIncident(deps.app, parsed.value, userMeta(userId, meta.channelId, `slack:view:${view.id}`, body.user.name));
    await tell(client, meta.channelId, userId, outcomeText(o, o.ok ? REPLIES.declared(o.state.number, o.state.severity) : md``), deps);
  });

  app.view(UPDATE_CALLBACK, async ({ ack, view, body, client }) => {
    const parsed = parseUpdateSubmission(view.state.values as never, parseDuration);
    if (!parsed.ok) return void (await ackSubmission(ack, parsed));
    const meta = parseMeta(view.private_metadata);
    const userId = body.user.id;
    const state = meta.incidentId ? await findIncident(deps.app, { id: asIncidentId(meta.incidentId) }).catch(() => undefined) : undefined;
    const form = state ? customerForm(deps.app.policy, state) : undefined;
    const fields = form ? parseCustomerFields(view.state.values as never, form) : undefined;
    if (state && form && fields && form.mode === 'ask') {
      // Show exactly what will go out; nothing is applied until the review is submitted.
      // An update that would reach customers with nothing to say shows why instead of the tick: it can still go to Slack.
      const cadence = parsed.value.nextUpdateInMs ?? findSeverity(deps.app.policy, state.severity)?.updateCadenceMs ?? 30 * 60_000;
      const plan = planCustomerUpdate(deps.app.policy, state, { status: parsed.value.status, summary: parsed.value.summary, nextUpdateAt: new Date(deps.app.clock.now().getTime() + cadence).toISOString() }, { ...fields, approved: true });
      const draft: ReviewDraft = { incidentId: state.id, ...(meta.channelId ? { channelId: meta.channelId } : {}), ...parsed.value, customer: fields };
      await (ack as (r: ViewResponseAction) => Promise<void>)({ response_action: 'update', view: reviewModal(state.number, plan, draft, deps.app.policy) as never });
      return;
    }
    if (state && form && fields && form.mode === 'auto') {
      if (!fields.title && !state.customerFacing?.title) {
        return void (await ackSubmission(ack, { ok: false, errors: { cf_title: 'Customers need a title for the status page and the email subject.' } }));
      }
      // Posting publishes at once: a summary or title that would reach customers with nothing to say is answered on its field.
      const wordless = wordlessParts(deps, state, parsed.value, fields);
      if (wordless) return void (await ackSubmission(ack, { ok: false, errors: wordlessFieldErrors(wordless) }));
    }
    await ack();
    const customer = fields ? { ...fields, approved: form?.mode === 'auto' } : undefined;
    const o = await applyCommand(deps.app, meta.incidentId ? { id: asIncidentId(meta.incidentId) } : { channelId: asSlackChannelId(meta.channelId ?? '') }, { type: 'post_status_update', ...parsed.value, ...(customer ? { customer } : {}) }, userMeta(userId, meta.channelId, `slack:view:${view.id}`, body.user.name));
    await tell(client, meta.channelId, userId, outcomeText(o, REPLIES.updatePosted), deps);
  });

  app.view(REVIEW_CALLBACK, async ({ ack, view, body, client }) => {
    const draft = parseDraft(view.private_metadata);
    const approved = parseTick(view.state.values as never);
    // The review offered the tick, but as the incident is now the update would reach customers with nothing to say
    // (a customer attached since, whose email takes another's name out): answered on the tick box, so unticking still posts.
    const state = draft && approved ? await findIncident(deps.app, { id: asIncidentId(draft.incidentId) }).catch(() => undefined) : undefined;
    const wordless = draft && state ? wordlessParts(deps, state, draft, draft.customer) : undefined;
    if (wordless) return void (await ackSubmission(ack, { ok: false, errors: { publish: wordlessTickError(wordless) } }));
    await ack();
    const userId = body.user.id;
    if (!draft) return void (await tell(client, undefined, userId, REPLIES.warning(md`The update could not be read back; please post it again.`), deps));
    const command = { type: 'post_status_update' as const, status: draft.status, summary: draft.summary, ...(draft.nextUpdateInMs ? { nextUpdateInMs: draft.nextUpdateInMs } : {}), customer: { ...draft.customer, approved } };
    const o = await applyCommand(deps.app, { id: asIncidentId(draft.incidentId) }, command, userMeta(userId, draft.channelId, `slack:view:${view.id}`, body.user.name));
    const done = approved ? md`${REPLIES.updatePosted} Published to customers.` : md`${REPLIES.updatePosted} Not published to customers (the box was not ticked).`;
    await tell(client, draft.channelId, userId, outcomeText(o, done), deps);
  });
}

/** The parts of an update that would reach customers with none of the writer's words left, if any (`no_words`). */
function wordlessParts(deps: SlackListenerDeps, state: IncidentState, update: { status: Status; summary: string }, fields: Omit<CustomerFacingInput, 'approved'>): WordlessPart[] | undefined {
  const plan = planCustomerUpdate(deps.app.policy, state, { status: update.status, summary: update.summary }, { ...fields, approved: true });
  return plan.blocked === 'no_words' ? plan.wordless : undefined;
}

function parseDraft(raw: string | undefined): ReviewDraft | undefined {
  try {
    const d = JSON.parse(raw ?? '') as ReviewDraft;
    return d && typeof d.incidentId === 'string' && typeof d.summary === 'string' && typeof d.status === 'string' ? d : undefined;
  } catch {
    return undefined;
  }
}

/** Acks a modal submission, with its field errors when it has any (Slack shows them inline); true when it may go on. */
async function ackSubmission(ack: SlackViewMiddlewareArgs['ack'], parsed: { ok: true } | { ok: false; errors: Record<string, string> }): Promise<boolean> {
  if (!parsed.ok) {
    // Bolt types `ack` as a union over view kinds; a submission's ack takes a response action.
    await (ack as (r: ViewResponseAction) => Promise<void>)({ response_action: 'errors', errors: parsed.errors });
    return false;
  }
  await ack();
  return true;
}

function parseMeta(raw: string | undefined): { channelId?: string; incidentId?: string } {
  try {
    const v = JSON.parse(raw ?? '{}') as { channelId?: string; incidentId?: string };
    return v && typeof v === 'object' ? v : {};
  } catch {
    return {};
  }
}
