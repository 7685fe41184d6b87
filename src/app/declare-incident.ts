/**
 * Declares an incident, from a person (`/incident declare`) or a page
 * (PagerDuty `incident.triggered`). The command key makes a retried slash
 * command or a double click open one incident; for pages the key is the
 * PagerDuty incident id, so an alert storm over N replicas opens one; a page
 * whose PagerDuty incident someone links by hand meanwhile joins that incident.
 */
import type { Command } from '../domain/commands.ts';
import { asIncidentId } from '../domain/ids.ts';
import { transition } from '../domain/transition.ts';
import { commitTransition, notFound, type CommandMeta, type CommandOutcome } from './apply-command.ts';
import { authorize } from './authorize.ts';
import { withNames } from './people.ts';
import type { AppDeps } from './ports.ts';

export type DeclareInput = Omit<Extract<Command, { type: 'declare' }>, 'type' | 'number'>;

export async function declareIncident(deps: AppDeps, input: DeclareInput, given: CommandMeta): Promise<CommandOutcome> {
  // `number` is given out in the transaction; who may declare does not depend on it.
  const allowed = await authorize(deps, undefined, { type: 'declare', number: 0, ...input }, given);
  if (!allowed.ok) return allowed;
  const meta = await withNames(deps, input, allowed.meta);
  const attempt = await deps.store.transaction(async (uow): Promise<CommandOutcome & { rollBack?: true }> => {
    if (!(await uow.keys.claimCommandKey(meta.idempotencyKey))) {
      const id = await uow.keys.commandKeyIncident(meta.idempotencyKey);
      const state = id ? await uow.incidents.readIncident(id) : undefined;
      if (!id || !state) return { ok: false, error: notFound(undefined, 'replay') };
      return { ok: true, incidentId: state.id, state, events: [], effects: [], duplicate: true };
    }
    if (input.pagerDuty) {
      // A page for a PagerDuty incident that already has a Kranz incident joins it.
      const existing = await uow.keys.findIncidentIdByPagerDuty(input.pagerDuty.pdIncidentId);
      const state = existing ? await uow.incidents.readIncident(existing) : undefined;
      if (existing && state) return { ok: true, incidentId: state.id, state, events: [], effects: [], duplicate: true };
    }
    const now = deps.clock.now();
    const incidentId = asIncidentId(deps.newId());
    const declare = (number: number) => transition(undefined, { type: 'declare', number, ...input }, now, { policy: deps.policy, incidentId, newId: deps.newId, ...meta });
    // Refused before a number is taken: a sequence does not give a number back, and the next incident must not skip one.
    const check = declare(0);
    if (!check.ok) return { ok: false, error: check.error };
    const r = declare(await uow.incidents.nextIncidentNumber());
    if (!r.ok) return { ok: false, error: r.error };
    // The projection row first: events and links reference it.
    if (r.value.state) await uow.incidents.saveIncident(r.value.state, now);
    const outcome = await commitTransition(uow, deps, incidentId, undefined, r.value, meta.idempotencyKey, now);
    if (input.pagerDuty && !(await uow.keys.linkPagerDuty(input.pagerDuty.pdIncidentId, incidentId))) {
      // Someone linked the PagerDuty incident to an incident by hand (`/incident link`) while this one was being
      // opened: it joins that one, as above, and nothing of this one stays (the insert waited for that commit).
      const linked = await uow.keys.findIncidentIdByPagerDuty(input.pagerDuty.pdIncidentId);
      const state = linked ? await uow.incidents.readIncident(linked) : undefined;
      if (!state) throw new Error(`PagerDuty incident ${input.pagerDuty.pdIncidentId} is linked, but to no incident Kranz can read`);
      return { ok: true, incidentId: state.id, state, events: [], effects: [], duplicate: true, rollBack: true };
    }
    await uow.keys.setCommandKeyIncident(meta.idempotencyKey, incidentId);
    return outcome;
  }, { commit: (r) => r.ok && !r.rollBack });
  if (!attempt.rollBack) return attempt;
  const { rollBack: _undone, ...joined } = attempt;
  return joined;
}
