/** What applying a command comes to: its events and effects, or why it was refused. */
import type { DomainError } from '../domain/errors.ts';
import type { IncidentEvent } from '../domain/events.ts';
import type { IncidentId } from '../domain/ids.ts';
import type { IncidentState } from '../domain/incident.ts';
import type { Effect } from '../domain/effects.ts';
import type { IncidentRef } from './incident-ref.ts';

/**
 * Why no incident answered: the reference the caller used, and what it wanted
 * one for (`timeline`: flagging a message; `replay`: a command key seen before
 * whose incident is gone). Surfaces put it in words.
 */
export interface NotFoundParams {
  ref?: IncidentRef;
  purpose?: 'timeline' | 'replay';
}

/** No incident to apply it to. */
export type NotFound = { code: 'incident.not_found'; params: NotFoundParams };

/** A refusal of a use case: the domain's, or no incident to apply it to. */
export type AppError = DomainError | NotFound;

export type CommandOutcome =
  | { ok: true; incidentId: IncidentId; state: IncidentState; events: IncidentEvent[]; effects: Effect[]; duplicate: boolean }
  | { ok: false; error: AppError };

export function notFound(ref: IncidentRef | undefined, purpose?: NotFoundParams['purpose']): NotFound {
  return { code: 'incident.not_found', params: { ...(ref ? { ref } : {}), ...(purpose ? { purpose } : {}) } };
}
