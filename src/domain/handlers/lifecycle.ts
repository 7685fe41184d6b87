/** Severity, status and the resolve → close → reopen lifecycle of a declared incident. */
import { SETTABLE_STATUSES } from '../commands.ts';
import { domainError, type DomainError } from '../errors.ts';
import { findSeverity, type Policy } from '../policy.ts';
import type { HandlerGroup } from './context.ts';
import { resolutionEmails, resolvePublication } from '../customer-updates.ts';

type Lifecycle = 'change_severity' | 'set_status' | 'resolve' | 'close' | 'reopen' | 'record_report';

export const unknownSeverity = (policy: Policy, given: string): DomainError =>
  domainError('severity.unknown', { given, known: policy.severities.map((s) => s.key) });

export const lifecycleHandlers: HandlerGroup<Lifecycle> = {
  change_severity(command, state, step) {
    const sev = findSeverity(step.policy, command.severity);
    if (!sev) return unknownSeverity(step.policy, command.severity);
    if (sev.key === state.severity) return domainError('severity.unchanged', { number: state.number, severity: sev.key });
    step.emit('severity_changed', { from: state.severity, to: sev.key, ...(command.reason ? { reason: command.reason } : {}) });
    step.fx({ kind: 'slack.set_topic' }, { kind: 'slack.refresh_slot', slot: 'summary' }, {
      kind: 'slack.post', to: { kind: 'incident' }, message: { template: 'severity_changed', from: state.severity, to: sev.key, updateCadenceMs: sev.updateCadenceMs },
    });
    return undefined;
  },

  set_status(command, state, step) {
    if (!SETTABLE_STATUSES.includes(command.status)) {
      return domainError('status.invalid', { given: command.status, allowed: SETTABLE_STATUSES, closingCommands: true });
    }
    if (state.status === command.status) return undefined;
    step.emit('status_changed', { from: state.status, to: command.status });
    step.fx({ kind: 'slack.set_topic' }, { kind: 'slack.refresh_slot', slot: 'summary' });
    return undefined;
  },

  resolve(command, state, step) {
    if (state.status === 'resolved') return domainError('incident.already_resolved', { number: state.number });
    // Resolving closes the status page incident too (components back to operational), unless a resolved update already did,
    // and tells the emailed contacts in their thread: email-only customers have no page to look at.
    const page = resolvePublication(state);
    const emails = resolutionEmails(step.policy, state);
    step.emit('resolved', { ...(command.summary ? { summary: command.summary.trim() } : {}), ...(emails.length ? { emailedTo: emails.map((m) => m.to) } : {}) });
    step.fx({ kind: 'slack.set_topic' }, { kind: 'slack.refresh_slot', slot: 'summary' }, {
      kind: 'slack.post', to: { kind: 'incident' }, message: { template: 'resolved' },
    });
    if (step.policy.pagerduty.resolveInPagerDuty) {
      for (const pd of state.pagerDutyIncidents) step.fx({ kind: 'pagerduty.resolve', pdIncidentId: pd.id });
    }
    if (page) step.fx(page);
    step.fx(...emails);
    return undefined;
  },

  close(_command, state, step) {
    if (state.status !== 'resolved') return domainError('incident.not_resolved', { number: state.number });
    step.emit('closed', {});
    step.fx({ kind: 'slack.set_topic' }, { kind: 'slack.refresh_slot', slot: 'summary' }, { kind: 'slack.publish_report' });
    if (step.policy.archiveOnClose) step.fx({ kind: 'slack.archive' });
    return undefined;
  },

  reopen(command, state, step) {
    if (state.status !== 'closed' && state.status !== 'resolved') return domainError('incident.not_closed', { number: state.number });
    step.emit('reopened', command.reason ? { reason: command.reason } : {});
    step.fx({ kind: 'slack.set_topic' }, { kind: 'slack.refresh_slot', slot: 'summary' });
    return undefined;
  },

  record_report(command, _state, step) {
    step.emit('report_drafted', { length: command.length, sha256: command.sha256 });
    return undefined;
  },
};
