/**
 * The key times people set by hand: a responder's acknowledgement, the
 * commander's "mitigated at", and corrections from `/incident times`. Each is
 * an event, so the report shows who set what, and when. A corrected
 * declaration also moves the due times of the open customer calls.
 */
import { domainError } from '../errors.ts';
import type { KeyTime } from '../events.ts';
import { declaredAtOf, type IncidentState, type KeyTimes } from '../incident.ts';
import { keyTimesOf } from '../key-times.ts';
import { callItemsOnCorrectedDeclaration } from './call-items.ts';
import type { HandlerGroup } from './context.ts';

/** A hand-set time may be a little ahead of the server clock, never minutes into the future. */
const FUTURE_SLACK_MS = 60_000;

/** Older incidents' state copy of a key time, for the correction's "was" (the declaration's is `declaredAtOf`). */
const STATE_FIELD: Partial<Record<KeyTime, keyof KeyTimes>> = {
  impact_started: 'impactStartedAt', detected: 'detectedAt', acknowledged: 'acknowledgedAt',
  customer_contacted: 'customerContactedAt', mitigated: 'mitigatedAt', resolved: 'resolvedAt', closed: 'closedAt',
};

/**
 * The value a correction replaces: the time as the report has it just before
 * it (`keyTimeLog`), so every key time gets one, those only the report derives
 * (commander named, service restored) included, and a second correction's
 * "was" is the first's value. None when the report has no such time yet.
 * An incident stored before its state kept the log falls back to what its
 * state knows: the declaration as corrected and the times `times` keeps.
 */
function timeBefore(state: IncidentState, key: KeyTime): string | undefined {
  if (state.keyTimeLog) {
    const f = keyTimesOf(state.keyTimeLog)[key];
    return f ? new Date(f.ms).toISOString() : undefined;
  }
  if (key === 'declared') return declaredAtOf(state);
  const field = STATE_FIELD[key];
  return field ? state.times[field] : undefined;
}

export const timeHandlers: HandlerGroup<'acknowledge' | 'mark_mitigated' | 'correct_time'> = {
  acknowledge(_command, state, step) {
    if (state.times.acknowledgedAt) return domainError('incident.already_acknowledged', { number: state.number, at: state.times.acknowledgedAt });
    step.emit('acknowledged', {});
    step.fx({ kind: 'slack.refresh_slot', slot: 'summary' });
    return undefined;
  },

  mark_mitigated(command, _state, step) {
    const at = command.at ? new Date(command.at) : step.at;
    if (Number.isNaN(at.getTime())) return domainError('time.invalid', { given: command.at ?? '' });
    if (at.getTime() > step.at.getTime() + FUTURE_SLACK_MS) return domainError('time.in_future', { given: at.toISOString() });
    step.emit('mitigated', {}, at);
    step.fx({ kind: 'slack.refresh_slot', slot: 'summary' }, { kind: 'slack.post', to: { kind: 'incident' }, message: { template: 'mitigated', at: at.toISOString() } });
    return undefined;
  },

  correct_time(command, state, step) {
    const at = new Date(command.at);
    if (Number.isNaN(at.getTime())) return domainError('time.invalid', { given: command.at });
    if (at.getTime() > step.at.getTime() + FUTURE_SLACK_MS) return domainError('time.in_future', { given: command.at });
    const previous = command.previous ?? timeBefore(state, command.key);
    // A corrected declaration moves the open call items' due times with it (their reminders follow the plan).
    const checklist = command.key === 'declared' ? callItemsOnCorrectedDeclaration(state, at.toISOString()) : {};
    const moved = Boolean(checklist.due?.length);
    step.emit('time_corrected', {
      key: command.key, at: at.toISOString(), ...(previous ? { previous } : {}), ...(command.reason ? { reason: command.reason } : {}), ...(moved ? { checklist } : {}),
    });
    step.fx({ kind: 'slack.refresh_slot', slot: 'summary' });
    if (moved) step.fx({ kind: 'slack.refresh_slot', slot: 'checklist' });
    return undefined;
  },
};
