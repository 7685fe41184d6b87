/**
 * `/incident link <PagerDuty incident>`: a person links a PagerDuty incident
 * to a Kranz incident, so that its webhook events land on this timeline as
 * those of an incident PagerDuty opened do (the intake finds incidents
 * through `pagerduty_links`, before it looks at a trigger it ignored, so the
 * link wins over that mark; the mark is cleared all the same: linked, it is
 * no longer one Kranz ignores, and `/incident unlink` sets it again), `page @person` has a PagerDuty incident to add
 * responders to, and resolving here resolves it there.
 *
 * The `pagerduty_links` row and the `pagerduty_linked` event commit in one
 * transaction, under the incident's lock. A PagerDuty incident belongs to one
 * Kranz incident: one linked to another (by hand, or because its trigger
 * opened that one) is refused, naming it, and so is a link that loses a race
 * for the row.
 *
 * PagerDuty is asked first, outside the transaction (a slow PagerDuty must
 * not hold the incident's lock), for the number, title, URL and service. An
 * answer that there is no such incident refuses the link (a typo, another
 * account). No answer (PagerDuty down, slow, rate-limiting, refusing the
 * token) does not lose the request: the link is made by id, and the answer
 * says PagerDuty could not check it; the events carry the number when they come.
 *
 * The service PagerDuty named goes on the command, and with it the domain
 * queues the invite of that service's on-call responders (the effect a trigger
 * that opens an incident queues), in this transaction: a refused link invites
 * nobody. Linked by id alone, there is no service, and nobody is invited.
 */
import type { Command } from '../domain/commands.ts';
import { asIncidentId, type PdIncidentId } from '../domain/ids.ts';
import { err } from '../lib/result.ts';
import { auditDenial } from './access.ts';
import { applyClaimed, claimAndLock, notFound, type AppError, type CommandMeta, type CommandOutcome, type IncidentRef } from './apply-command.ts';
import { authorize } from './authorize.ts';
import { withNames } from './people.ts';
import type { AppDeps, PagerDutyIncidentFacts, PagerDutyIncidentLookup } from './ports.ts';
import { runInTransaction } from './run-in-transaction.ts';

/** Refusals only linking has: the PagerDuty incident belongs to another Kranz incident, or PagerDuty has none by that id. */
export type LinkRefusal =
  | { code: 'pagerduty.linked_elsewhere'; params: { pdIncidentId: string; number: number } }
  | { code: 'pagerduty.unknown_incident'; params: { pdIncidentId: string } };

/**
 * What PagerDuty said before the link was made: `found` (its details are on
 * the link), `unavailable` (it could not answer; linked by id), `unchecked`
 * (this Kranz has no PagerDuty REST access, or the link was there already).
 */
export type LinkCheck = { kind: 'found'; incident: PagerDutyIncidentFacts } | { kind: 'unavailable'; reason: string } | { kind: 'unchecked' };

export type LinkOutcome =
  | (Extract<CommandOutcome, { ok: true }> & { check: LinkCheck })
  | { ok: false; error: AppError | LinkRefusal };

const linkedElsewhere = (pdIncidentId: string, number: number): LinkRefusal => ({ code: 'pagerduty.linked_elsewhere', params: { pdIncidentId, number } });

export async function linkPagerDutyIncident(deps: AppDeps, ref: IncidentRef, pdIncidentId: PdIncidentId, given: CommandMeta): Promise<LinkOutcome> {
  const allowed = await authorize(deps, ref, { type: 'link_pagerduty', pdIncidentId }, given);
  if (!allowed.ok) return allowed;
  const incidentFound = allowed.incidentId ?? (await deps.store.reads.findPermissionSubject(ref))?.id;
  if (!incidentFound) return err(notFound(ref));
  const here = asIncidentId(incidentFound);
  // Refused from the links alone, before PagerDuty is asked; linked here already, the transaction says so (or finds the retried request).
  const holder = await deps.store.reads.findPermissionSubject({ pdIncidentId });
  if (holder && holder.id !== here) return err(linkedElsewhere(pdIncidentId, holder.number));
  const answer: PagerDutyIncidentLookup | undefined = holder ? undefined : await lookUp(deps, pdIncidentId);
  if (answer?.kind === 'not_found') return err({ code: 'pagerduty.unknown_incident', params: { pdIncidentId } });
  const check: LinkCheck = answer ?? { kind: 'unchecked' };
  const found = check.kind === 'found' ? check.incident : undefined;
  const command: Command = {
    type: 'link_pagerduty', pdIncidentId,
    ...(found ? { pdIncidentNumber: found.number, serviceId: found.serviceId, title: found.title, ...(found.url ? { url: found.url } : {}) } : {}),
  };
  // The actor's display name goes on the event, as with every command.
  const meta = await withNames(deps, command, allowed.meta);

  const outcome = await runInTransaction(deps.store, async (uow): Promise<CommandOutcome | { ok: false; error: LinkRefusal }> => {
    const claimed = await claimAndLock(uow, { id: here }, meta.idempotencyKey);
    if (!claimed.ok) return claimed;
    const { incidentId, current, duplicate } = claimed.value;
    if (duplicate) return duplicate;
    const applied = await applyClaimed(uow, deps, incidentId, current, command, meta);
    if (!applied.ok) return applied;
    // The row that routes PagerDuty's events here goes with the event: both or neither (a refusal below
    // rolls the event back too). The insert waits for a transaction that is writing the same row
    // (another link, a trigger declaring), then sees it.
    if (!(await uow.keys.linkPagerDuty(pdIncidentId, incidentId))) {
      const other = await uow.keys.findIncidentIdByPagerDuty(pdIncidentId);
      const state = other ? await uow.incidents.readIncident(other) : undefined;
      if (!state) throw new Error(`PagerDuty incident ${pdIncidentId} is linked, but to no incident Kranz can read`);
      return err(linkedElsewhere(pdIncidentId, state.number));
    }
    await uow.keys.clearPagerDutyIgnored(pdIncidentId);
    return applied;
  });
  if (!outcome.ok) {
    // Refused by the check against the locked incident (its roles changed meanwhile): reported like any refusal.
    auditDenial(deps, meta, outcome.error, { id: here });
    return outcome;
  }
  return { ...outcome, check };
}

/** PagerDuty's answer; a port that throws (it should not) counts as no answer. */
async function lookUp(deps: AppDeps, pdIncidentId: PdIncidentId): Promise<PagerDutyIncidentLookup | undefined> {
  if (!deps.pagerDuty) return undefined;
  try {
    return await deps.pagerDuty.lookUp(pdIncidentId);
  } catch (e) {
    return { kind: 'unavailable', reason: e instanceof Error ? e.message : String(e) };
  }
}
