/**
 * Gathers what the permission decision needs from Slack (is the person in the
 * incident channel now, is she in a user group the rule names), then asks the
 * pure decision (`domain/permissions.ts`). Slack is asked only when the
 * answer is not already clear from the incident (her role) or the policy
 * (everyone, her id). A lookup that fails counts as "could not verify": the
 * decision fails closed and says so.
 *
 * The facts travel on `CommandMeta.access` into `transition`, which decides
 * again against the locked incident: the check here spares the work (and
 * answers before a customer report's digest is compared); the one there is
 * the one that holds.
 */
import type { Command } from '../domain/commands.ts';
import type { DomainError } from '../domain/errors.ts';
import { accessNeeded, actionOf, checkPermission, type PermissionSubject } from '../domain/permissions.ts';
import { permissionsPolicy } from '../domain/policy.ts';
import { auditDenial, gatherAccess } from './access.ts';
import type { CommandMeta } from './command-meta.ts';
import type { IncidentRef } from './incident-ref.ts';
import type { AppDeps } from './ports.ts';

type Incident = PermissionSubject & { id: string };

export type Authorized = { ok: true; meta: CommandMeta } | { ok: false; error: DomainError };

/**
 * May the actor give this command? `meta` comes back carrying what Slack
 * said, for `transition`'s own check. Commands no person chooses, and actors
 * that are not people (PagerDuty, Kranz), pass untouched. An incident that
 * cannot be found passes too: the use case answers "not found" as before.
 */
export async function authorize(deps: AppDeps, ref: IncidentRef | undefined, command: Command, meta: CommandMeta): Promise<Authorized> {
  const action = actionOf(command);
  if (meta.actor.kind !== 'user' || !action) return { ok: true, meta };
  const userId = meta.actor.userId;
  const incident: Incident | undefined = command.type === 'declare' || !ref ? undefined : await deps.store.reads.findPermissionSubject(ref);
  if (command.type !== 'declare' && !incident) return { ok: true, meta };
  const perms = permissionsPolicy(deps.policy);
  const access = await gatherAccess(deps, accessNeeded(perms, action, userId, incident), userId, incident);
  const refused = checkPermission(perms, command, meta.actor, incident, access);
  if (refused) {
    auditDenial(deps, meta, refused, incident);
    return { ok: false, error: refused };
  }
  return { ok: true, meta: { ...meta, access } };
}

