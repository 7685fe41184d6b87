/**
 * `/incident unlink <PagerDuty incident>`: a person undoes a link, made by
 * hand (`/incident link`) or when PagerDuty's trigger opened the incident,
 * typically because the wrong PagerDuty incident was linked.
 *
 * In one transaction, under the incident's lock: the `pagerduty_unlinked`
 * event, the `pagerduty_links` row deleted, and the PagerDuty incident marked
 * as deliberately ignored (`PD_UNLINKED`). Without the mark its later webhook
 * events would wait for a trigger that came long ago (retried as if it were
 * late), and a trigger sent again would open or join an incident on its own;
 * with it, both are settled at once (ingest-pagerduty-event.ts). Linking it
 * again (`/incident link`) clears the mark.
 *
 * The domain refuses a PagerDuty incident this incident does not have
 * (`pagerduty.not_linked`): that refusal records nothing, not even the key.
 */
import { asIncidentId, type PdIncidentId } from '../domain/ids.ts';
import { err } from '../lib/result.ts';
import { auditDenial } from './access.ts';
import { applyClaimed, claimAndLock, notFound, type CommandMeta, type CommandOutcome, type IncidentRef } from './apply-command.ts';
import { authorize } from './authorize.ts';
import { PD_UNLINKED } from './ingest-pagerduty-event.ts';
import { withNames } from './people.ts';
import type { AppDeps } from './ports.ts';
import { runInTransaction } from './run-in-transaction.ts';

export async function unlinkPagerDutyIncident(deps: AppDeps, ref: IncidentRef, pdIncidentId: PdIncidentId, given: CommandMeta): Promise<CommandOutcome> {
  const command = { type: 'unlink_pagerduty' as const, pdIncidentId };
  const allowed = await authorize(deps, ref, command, given);
  if (!allowed.ok) return allowed;
  const incidentFound = allowed.incidentId ?? (await deps.store.reads.findPermissionSubject(ref))?.id;
  if (!incidentFound) return err(notFound(ref));
  const here = asIncidentId(incidentFound);
  const meta = await withNames(deps, command, allowed.meta);

  const outcome = await runInTransaction(deps.store, async (uow): Promise<CommandOutcome> => {
    const claimed = await claimAndLock(uow, { id: here }, meta.idempotencyKey);
    if (!claimed.ok) return claimed;
    const { incidentId, current, duplicate } = claimed.value;
    // The same Slack request again: applied once, answered as then.
    if (duplicate) return duplicate;
    const applied = await applyClaimed(uow, deps, incidentId, current, command, meta);
    // In the same transaction as the event. Only this incident's row goes: one a lost declare race left pointing elsewhere is that incident's.
    if (applied.ok) await uow.keys.unlinkPagerDuty(pdIncidentId, incidentId, PD_UNLINKED);
    return applied;
  });
  // Refused by the check against the locked incident (its roles changed meanwhile): reported like any refusal.
  if (!outcome.ok) auditDenial(deps, meta, outcome.error, { id: here });
  return outcome;
}
