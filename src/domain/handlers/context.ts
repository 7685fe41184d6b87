/**
 * What a command handler works with: the environment of the transition and a
 * builder that records events (applying each to the state as it goes) and
 * effects. Defined here, not in `transition.ts`, so handlers and the
 * dispatcher both import downwards and no cycle forms.
 */
import type { Command, CommandType } from '../commands.ts';
import type { Effect } from '../effects.ts';
import type { DomainError } from '../errors.ts';
import type { Actor, EventPayloads, EventType, IncidentEvent, SourceRef } from '../events.ts';
import type { IncidentId } from '../ids.ts';
import { applyEvent, type IncidentState } from '../incident.ts';
import type { ActorAccess } from '../permissions-policy.ts';
import type { Policy } from '../policy.ts';

/** Everything a transition needs besides state, command and time. */
export interface TransitionEnv {
  policy: Policy;
  incidentId: IncidentId;
  actor: Actor;
  source: SourceRef;
  /** The command's idempotency key; events get `key`, `key#2`, … */
  idempotencyKey: string;
  /** Source time when it differs from `now` (a Slack message's ts, a PagerDuty occurred_at). */
  occurredAt?: Date;
  newId: () => string;
  /** Display names of the people the command names (user id → name), recorded on the events. */
  names?: Record<string, string>;
  /** What Slack said about the actor (channel, user groups) for the permission check; never recorded. */
  access?: ActorAccess;
}

export interface Transition {
  events: IncidentEvent[];
  effects: Effect[];
  /** State after the events, so callers need not replay. */
  state: IncidentState | undefined;
}

/** The builder a handler records into. */
export interface Step {
  readonly env: TransitionEnv;
  readonly policy: Policy;
  /** When the command happened: the source time, else now. */
  readonly at: Date;
  /** Appends an event and applies it; returns it (its id names it in effects). */
  emit<T extends EventType>(type: T, data: EventPayloads[T], occurredAt?: Date): IncidentEvent;
  fx(...effects: Effect[]): void;
  /** The state after the events emitted so far. */
  current(): IncidentState | undefined;
}

/** `declare` is the one command that runs without an incident. */
export type StateFor<K extends CommandType> = K extends 'declare' ? undefined : IncidentState;

/** Handles one command type; returns a refusal, or nothing when the step holds the outcome. */
export type Handler<K extends CommandType> = (
  command: Extract<Command, { type: K }>,
  state: StateFor<K>,
  step: Step,
) => DomainError | undefined;

/** A group of handlers, keyed by the command types it owns. */
export type HandlerGroup<K extends CommandType> = { [P in K]: Handler<P> };

export function newStep(state: IncidentState | undefined, now: Date, env: TransitionEnv): { step: Step; out: Transition } {
  const out: Transition = { events: [], effects: [], state };
  const step: Step = {
    env,
    policy: env.policy,
    at: env.occurredAt ?? now,
    emit(type, data, occurredAt) {
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
      return e;
    },
    fx(...effects) {
      out.effects.push(...effects);
    },
    current: () => out.state,
  };
  return { step, out };
}
