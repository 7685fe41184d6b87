/**
 * The incident state machine: `transition(state, command, now, env)` turns a
 * command into events and effects, or a typed error. It never throws and does
 * no I/O; time and ids come in as arguments.
 */
import { err, ok, type Result } from '../lib/result.ts';
import { buildChecklist } from './checklist.ts';
import { channelName } from './channel-name.ts';
import { SETTABLE_STATUSES, isRole, type Command } from './commands.ts';
import type { Effect } from './effects.ts';
import { domainError, type DomainError } from './errors.ts';
import type { Actor, EventPayloads, EventType, IncidentEvent, SourceRef, Status } from './events.ts';
import { applyEvent, human, type IncidentState } from './incident.ts';
import { findCustomer, findSeverity, type Policy } from './policy.ts';

/** Everything a transition needs besides state, command and time. */
export interface TransitionEnv {
  policy: Policy;
  incidentId: string;
  actor: Actor;
  source: SourceRef;
  /** The command's idempotency key; events get `key`, `key#2`, … */
  idempotencyKey: string;
  /** Source time when it differs from `now` (a Slack message's ts, a PagerDuty occurred_at). */
  occurredAt?: Date;
  newId: () => string;
}

export interface Transition {
  events: IncidentEvent[];
  effects: Effect[];
  /** State after the events, so callers need not replay. */
  state: IncidentState | undefined;
}

const MAX_TEXT = 3_000;

export function transition(
  state: IncidentState | undefined,
  command: Command,
  now: Date,
  env: TransitionEnv,
): Result<Transition, DomainError> {
  const out: Transition = { events: [], effects: [], state };
  const emit = <T extends EventType>(type: T, data: EventPayloads[T], occurredAt?: Date): void => {
    const n = out.events.length;
    const e = {
      id: env.newId(),
      incidentId: env.incidentId,
      type,
      data,
      occurredAt: (occurredAt ?? env.occurredAt ?? now).toISOString(),
      recordedAt: now.toISOString(),
      actor: env.actor,
      source: env.source,
      idempotencyKey: n === 0 ? env.idempotencyKey : `${env.idempotencyKey}#${n + 1}`,
    } as IncidentEvent;
    out.events.push(e);
    out.state = applyEvent(out.state, e);
  };
  const fx = (...effects: Effect[]): void => {
    out.effects.push(...effects);
  };
  const textErr = checkText(command);
  if (textErr) return err(textErr);

  if (command.type === 'declare') {
    if (state) return err(domainError('incident.already_declared', `${human(state)} is already declared.`));
    const sev = findSeverity(env.policy, command.severity);
    if (!sev) return err(unknownSeverity(env.policy, command.severity));
    const customers: string[] = [];
    for (const c of command.customers ?? []) {
      const found = findCustomer(env.policy, c);
      if (!found) return err(domainError('customer.unknown', `Unknown customer "${c}". Known: ${env.policy.customers.map((x) => x.id).join(', ') || 'none configured'}.`));
      if (!customers.includes(found.id)) customers.push(found.id);
    }
    const declaredAt = env.occurredAt ?? now;
    const declaredBy = env.actor.kind === 'user' ? env.actor.userId : undefined;
    emit('declared', {
      number: command.number,
      title: command.title.trim(),
      severity: sev.key,
      description: command.description?.trim() ?? '',
      private: command.private ?? false,
      ...(command.commanderId ?? declaredBy ? { commanderId: command.commanderId ?? declaredBy } : {}),
      ...(declaredBy ? { declaredBy } : {}),
      customers,
      checklist: buildChecklist(env.policy, sev, customers, declaredAt),
      ...(command.impactStartedAt ? { impactStartedAt: command.impactStartedAt } : {}),
    });
    if (command.pagerDuty) emit('pagerduty_linked', { ...command.pagerDuty });
    const s = out.state as IncidentState;
    fx(
      { kind: 'slack.create_channel', name: channelName(env.policy, s, declaredAt), private: s.private, invite: s.members },
      { kind: 'slack.set_topic' },
      { kind: 'slack.post_slot', slot: 'summary', pin: true },
      { kind: 'slack.post_slot', slot: 'checklist', pin: false },
    );
    if (command.pagerDuty?.serviceId) fx({ kind: 'pagerduty.invite_oncall', serviceId: command.pagerDuty.serviceId });
    if (env.policy.announcementsChannel && !s.private) {
      fx({ kind: 'slack.post', to: { kind: 'channel', id: env.policy.announcementsChannel }, message: { template: 'incident_announced' } });
    }
    return ok(out);
  }

  if (!state) return err(domainError('incident.not_declared', 'No incident here. Declare one with `/incident declare`.'));
  const closed = state.status === 'closed';
  // Facts from the outside world are recorded whatever the status: losing them would be worse.
  const recordsAnyway = ['record_channel', 'member_joined', 'record_pagerduty_event', 'link_pagerduty', 'edit_message', 'delete_message', 'record_report', 'reopen', 'record_reminder', 'add_action_item', 'record_root_cause', 'add_note'];
  if (closed && !recordsAnyway.includes(command.type)) {
    return err(domainError('incident.closed', `${human(state)} is closed. Reopen it with \`/incident reopen\` first.`));
  }

  switch (command.type) {
    case 'record_channel':
      if (state.channelId === command.channelId) return ok(out);
      emit('channel_created', { channelId: command.channelId, channelName: command.channelName });
      return ok(out);
    case 'member_joined':
      if (state.members.includes(command.userId)) return ok(out);
      emit('member_joined', { userId: command.userId });
      return ok(out);
    case 'change_severity': {
      const sev = findSeverity(env.policy, command.severity);
      if (!sev) return err(unknownSeverity(env.policy, command.severity));
      if (sev.key === state.severity) return err(domainError('severity.unchanged', `${human(state)} is already ${sev.key}.`));
      emit('severity_changed', { from: state.severity, to: sev.key, ...(command.reason ? { reason: command.reason } : {}) });
      fx({ kind: 'slack.set_topic' }, { kind: 'slack.refresh_slot', slot: 'summary' }, {
        kind: 'slack.post', to: { kind: 'incident' }, message: { template: 'text', text: `Severity changed from ${state.severity} to ${sev.key}. Status updates are now due every ${Math.round(sev.updateCadenceMs / 60_000)} min.` },
      });
      return ok(out);
    }
    case 'set_status': {
      if (!SETTABLE_STATUSES.includes(command.status)) return err(domainError('status.invalid', `Status must be one of ${SETTABLE_STATUSES.join(', ')}; use \`resolve\` or \`close\` for the rest.`));
      if (state.status === command.status) return ok(out);
      emit('status_changed', { from: state.status, to: command.status });
      fx({ kind: 'slack.set_topic' }, { kind: 'slack.refresh_slot', slot: 'summary' });
      return ok(out);
    }
    case 'assign_role': {
      const role = command.role.trim().toLowerCase().replace(/[-\s]/g, '_');
      if (!isRole(role)) return err(domainError('role.unknown', `Unknown role "${command.role}". Roles: commander, customer-liaison, scribe, communications, subject-expert.`));
      if (!state.members.includes(command.userId)) {
        return err(domainError('role.not_member', `<@${command.userId}> is not in this incident channel yet. Invite them first, then assign the role.`));
      }
      if (state.roles[role] === command.userId) return ok(out);
      emit('role_assigned', { role, userId: command.userId, ...(state.roles[role] ? { previous: state.roles[role] } : {}) });
      fx({ kind: 'slack.refresh_slot', slot: 'summary' });
      if (role === 'commander') fx({ kind: 'slack.set_topic' });
      return ok(out);
    }
    case 'check_item': {
      const item = state.checklist.find((i) => i.id === command.itemId);
      if (!item) return err(domainError('checklist.unknown_item', `There is no checklist item "${command.itemId}".`));
      if (item.doneAt) return err(domainError('checklist.already_done', `"${item.title}" was already done by <@${item.doneBy}>.`));
      emit('checklist_item_done', { itemId: item.id, title: item.title });
      fx({ kind: 'slack.refresh_slot', slot: 'checklist' });
      return ok(out);
    }
    case 'post_status_update': {
      const status = command.status ?? (state.status === 'resolved' ? 'resolved' : state.status);
      if (!([...SETTABLE_STATUSES, 'resolved'] as Status[]).includes(status)) return err(domainError('status.invalid', `Status must be one of ${SETTABLE_STATUSES.join(', ')}.`));
      const sev = findSeverity(env.policy, state.severity);
      const cadence = command.nextUpdateInMs ?? sev?.updateCadenceMs ?? 30 * 60_000;
      const at = env.occurredAt ?? now;
      const relayedTo = relayTargets(env.policy, state);
      emit('status_update_posted', { status, summary: command.summary.trim(), nextUpdateAt: new Date(at.getTime() + cadence).toISOString(), relayedTo });
      const eventId = out.events[out.events.length - 1]?.id ?? '';
      // Posting the first update is itself a checklist item: tick it rather than ask for a click.
      const first = state.checklist.find((i) => i.id === FIRST_UPDATE_ITEM && !i.doneAt);
      if (first) {
        emit('checklist_item_done', { itemId: first.id, title: first.title });
        fx({ kind: 'slack.refresh_slot', slot: 'checklist' });
      }
      fx({ kind: 'slack.post', to: { kind: 'incident' }, message: { template: 'status_update', eventId } });
      for (const id of relayedTo) fx({ kind: 'slack.post', to: { kind: 'channel', id }, message: { template: 'status_update', eventId } });
      if (env.policy.pagerduty.mirrorUpdatesAs !== 'none') {
        for (const pd of state.pagerDutyIncidents) fx({ kind: 'pagerduty.note', pdIncidentId: pd.id, content: `[${status}] ${command.summary.trim()}`, as: env.policy.pagerduty.mirrorUpdatesAs });
      }
      fx({ kind: 'slack.set_topic' }, { kind: 'slack.refresh_slot', slot: 'summary' });
      return ok(out);
    }
    case 'record_customer_contact': {
      let customer: string | undefined;
      if (command.customer) {
        const c = findCustomer(env.policy, command.customer);
        if (!c) return err(domainError('customer.unknown', `Unknown customer "${command.customer}".`));
        customer = c.id;
      }
      emit('customer_contacted', { details: command.details.trim(), ...(customer ? { customer } : {}) });
      fx({ kind: 'slack.refresh_slot', slot: 'checklist' }, { kind: 'slack.refresh_slot', slot: 'summary' });
      return ok(out);
    }
    case 'add_note': {
      if (command.messageTs && state.notes.some((n) => n.messageTs === command.messageTs && !n.deleted)) return ok(out);
      emit('note_added', {
        text: command.text.trim(), via: command.via,
        ...(command.authorId ? { authorId: command.authorId } : {}),
        ...(command.messageTs ? { messageTs: command.messageTs } : {}),
        ...(command.permalink ? { permalink: command.permalink } : {}),
      });
      return ok(out);
    }
    case 'edit_message': {
      const note = state.notes.find((n) => n.messageTs === command.messageTs && !n.deleted);
      if (!note) return ok(out); // Unflagged messages live in the channel log only.
      if (note.text === command.text) return ok(out);
      emit('message_edited', { messageTs: command.messageTs, text: command.text, previousText: note.text });
      return ok(out);
    }
    case 'delete_message': {
      const note = state.notes.find((n) => n.messageTs === command.messageTs && !n.deleted);
      if (!note) return ok(out);
      emit('message_deleted', { messageTs: command.messageTs, previousText: note.text });
      return ok(out);
    }
    case 'link_pagerduty': {
      if (state.pagerDutyIncidents.some((p) => p.id === command.pdIncidentId)) return ok(out);
      const { type: _t, ...data } = command;
      emit('pagerduty_linked', data);
      return ok(out);
    }
    case 'record_pagerduty_event': {
      emit('pagerduty_event', { eventType: command.eventType, pdIncidentId: command.pdIncidentId, summary: command.summary });
      const s = command.suggestion;
      fx({
        kind: 'slack.post', to: { kind: 'incident' },
        message: { template: 'pagerduty_event', eventType: command.eventType, text: command.summary, ...(s === 'resolve' ? { action: { kind: 'resolve' } } : s ? { action: { kind: 'change_severity', severity: s.severity } } : {}) },
      });
      return ok(out);
    }
    case 'record_reminder': {
      emit('reminder_sent', { reminder: command.reminder, level: command.level, dueAt: command.dueAt, recipient: command.recipient });
      const to = command.recipient.startsWith('U') || command.recipient.startsWith('W')
        ? { kind: 'user' as const, id: command.recipient }
        : command.recipient === 'incident' ? { kind: 'incident' as const } : { kind: 'channel' as const, id: command.recipient };
      fx({ kind: 'slack.post', to, message: { template: 'reminder', reminder: command.reminder, level: command.level, mention: command.mention, text: command.text } });
      return ok(out);
    }
    case 'record_root_cause':
      emit('root_cause_recorded', { text: command.text.trim() });
      return ok(out);
    case 'add_action_item':
      emit('action_item_added', { kind: command.kind, text: command.text.trim() });
      return ok(out);
    case 'resolve': {
      if (state.status === 'resolved') return err(domainError('incident.already_resolved', `${human(state)} is already resolved. Close it with \`/incident close\`.`));
      emit('resolved', command.summary ? { summary: command.summary.trim() } : {});
      fx({ kind: 'slack.set_topic' }, { kind: 'slack.refresh_slot', slot: 'summary' }, {
        kind: 'slack.post', to: { kind: 'incident' }, message: { template: 'text', text: `${human(state)} is resolved. Post a final customer update, record the root cause (\`/incident root-cause …\`) and actions (\`/incident action prevent|fail-better …\`), then \`/incident close\` to draft the report.` },
      });
      if (env.policy.pagerduty.resolveInPagerDuty) for (const pd of state.pagerDutyIncidents) fx({ kind: 'pagerduty.resolve', pdIncidentId: pd.id });
      return ok(out);
    }
    case 'close': {
      if (state.status !== 'resolved') return err(domainError('incident.not_resolved', `${human(state)} is not resolved yet. Run \`/incident resolve\` first.`));
      emit('closed', {});
      fx({ kind: 'slack.set_topic' }, { kind: 'slack.refresh_slot', slot: 'summary' }, { kind: 'slack.publish_report' });
      if (env.policy.archiveOnClose) fx({ kind: 'slack.archive' });
      return ok(out);
    }
    case 'reopen': {
      if (state.status !== 'closed' && state.status !== 'resolved') return err(domainError('incident.not_closed', `${human(state)} is still open.`));
      emit('reopened', command.reason ? { reason: command.reason } : {});
      fx({ kind: 'slack.set_topic' }, { kind: 'slack.refresh_slot', slot: 'summary' });
      return ok(out);
    }
    case 'record_report':
      emit('report_drafted', { length: command.length, sha256: command.sha256 });
      return ok(out);
    case 'page':
      // A person is paged as a responder on the linked PagerDuty incident; without one there is nothing to add them to.
      if (command.target.kind === 'user' && state.pagerDutyIncidents.length === 0) {
        return err(domainError('page.not_linked', `${human(state)} has no PagerDuty incident to add a responder to. Page a service instead: \`/incident page <service> <message>\`.`));
      }
      fx({ kind: 'pagerduty.page', target: command.target, message: command.message });
      return ok(out);
  }
}

/** The default checklist's "post the first status update" item, ticked by the first update. */
export const FIRST_UPDATE_ITEM = 'first-update';

/** Customer-facing channels of the affected customers, then the stakeholder channel. */
export function relayTargets(policy: Policy, state: IncidentState): string[] {
  const ids: string[] = [];
  if (!state.private) {
    for (const id of state.customers) {
      const ch = policy.customers.find((c) => c.id === id)?.slackChannel;
      if (ch && !ids.includes(ch)) ids.push(ch);
    }
  }
  if (policy.stakeholderChannel && !ids.includes(policy.stakeholderChannel)) ids.push(policy.stakeholderChannel);
  return ids;
}

function unknownSeverity(policy: Policy, given: string): DomainError {
  return domainError('severity.unknown', `Unknown severity "${given}". Use one of ${policy.severities.map((s) => s.key).join(', ')}.`);
}

function checkText(c: Command): DomainError | undefined {
  const fields: [string, string | undefined][] = [];
  switch (c.type) {
    case 'declare': fields.push(['title', c.title]); break;
    case 'post_status_update': fields.push(['summary', c.summary]); break;
    case 'record_customer_contact': fields.push(['details', c.details]); break;
    case 'record_root_cause': case 'add_action_item': fields.push(['text', c.text]); break;
    case 'add_note': fields.push(['text', c.text]); break;
    default: return undefined;
  }
  for (const [name, v] of fields) {
    if (!v || !v.trim()) return domainError('input.empty', `The ${name} cannot be empty.`);
    if (v.length > MAX_TEXT && c.type !== 'add_note') return domainError('input.too_long', `The ${name} is ${v.length} characters; keep it under ${MAX_TEXT}.`);
  }
  return undefined;
}
