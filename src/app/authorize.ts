/**
 * Gathers what the permission decision needs from Slack (is the person in the
 * incident channel now, is she in a user group the rule names), then asks the
 * pure decision (`domain/permissions.ts`). Slack is asked only when the
 * answer is not already clear from the incident (her role) or the policy
 * (everyone, her id). A lookup that fails counts as "could not verify": the
 * decision fails closed and says so.
 *
 * The facts travel on `CommandMeta.access` into the transaction, which
 * decides again against the locked incident (`transition` for commands; a use
 * case that is no command calls `checkAction` itself): the check here spares
 * the work (and answers before a customer report's digest is compared); the
 * one there is the one that holds.
 */
import type { Command } from '../domain/commands.ts';
import type { PermissionRefusal } from '../domain/errors.ts';
import { asIncidentId, type IncidentId } from '../domain/ids.ts';
import { accessNeeded, actionOf, checkAction, type PermissionAction, type PermissionSubject } from '../domain/permissions.ts';
import { permissionsPolicy } from '../domain/policy.ts';
import { auditDenial, gatherAccess } from './access.ts';
import type { CommandMeta } from './command-meta.ts';
import type { IncidentRef } from './incident-ref.ts';
import type { AppDeps } from './ports.ts';

type Incident = PermissionSubject & { id: string };

/**
 * `incidentId`: the incident the check read, when it read one. Its channel,
 * number and PagerDuty link never change, so the use case names it by id
 * from here on instead of looking the reference up again in its transaction.
 */
export type Authorized = { ok: true; meta: CommandMeta; incidentId?: IncidentId } | { ok: false; error: PermissionRefusal };

/**
 * May the actor give this command? `meta` comes back carrying what Slack
 * said, for `transition`'s own check. Commands no person chooses pass
 * untouched; the rest is `authorizeAction`'s.
 */
export async function authorize(deps: AppDeps, ref: IncidentRef | undefined, command: Command, meta: CommandMeta): Promise<Authorized> {
  const action = actionOf(command);
  return action ? authorizeAction(deps, ref, action, meta) : { ok: true, meta };
}

/**
 * May the actor do this action on the incident `ref` names (none for
 * `declare`)? A refusal is reported to the operator here. Actors that are not
 * people (PagerDuty, Kranz) pass untouched. An incident that cannot be found
 * passes too: the use case answers "not found" as before.
 */
export async function authorizeAction(deps: AppDeps, ref: IncidentRef | undefined, action: PermissionAction, meta: CommandMeta): Promise<Authorized> {
  if (meta.actor.kind !== 'user') return { ok: true, meta };
  const userId = meta.actor.userId;
  const incident: Incident | undefined = action === 'declare' || !ref ? undefined : await deps.store.reads.findPermissionSubject(ref);
  if (action !== 'declare' && !incident) return { ok: true, meta };
  const perms = permissionsPolicy(deps.policy);
  const access = await gatherAccess(deps, accessNeeded(perms, action, userId, incident), userId, incident);
  const refused = checkAction(perms, action, meta.actor, incident, access);
  if (refused) {
    auditDenial(deps, meta, refused, incident);
    return { ok: false, error: refused };
  }
  return { ok: true, meta: { ...meta, access }, ...(incident ? { incidentId: asIncidentId(incident.id) } : {}) };
}
