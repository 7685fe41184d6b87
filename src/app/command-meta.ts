/** What every command carries besides itself: who, from where, and its idempotency key. */
import type { Actor, SourceRef } from '../domain/events.ts';
import type { ActorAccess } from '../domain/permissions.ts';

/** Who asked, from where, and the key that makes a retry harmless. */
export interface CommandMeta {
  actor: Actor;
  source: SourceRef;
  idempotencyKey: string;
  /** Source time, when it is not now (a Slack message's ts). */
  occurredAt?: Date;
  /** Display names of the people the command names, recorded on its events (see `withNames`). */
  names?: Record<string, string>;
  /** What Slack said about the actor, for the permission check (see `authorize`); never recorded. */
  access?: ActorAccess;
  /**
   * The dedupe key of the stored inbound request this command came from,
   * when it has one: a batch that applies the command marks that request
   * processed in the same transaction (`BatchWrites.appliedRequests`), so
   * the request and its effect commit together and the receiver has no
   * second write to make.
   */
  requestKey?: string;
}
