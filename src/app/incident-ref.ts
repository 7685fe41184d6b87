/** How a command names its incident, and finding it by that name. */
import { asIncidentId, type IncidentId, type PdIncidentId, type SlackChannelId } from '../domain/ids.ts';
import type { IncidentState } from '../domain/incident.ts';
import type { AppDeps, UnitOfWork } from './ports.ts';

/** How a command names its incident. */
export type IncidentRef = { id: IncidentId } | { channelId: SlackChannelId } | { number: number } | { pdIncidentId: PdIncidentId };

export async function resolveIncidentId(uow: UnitOfWork, ref: IncidentRef): Promise<IncidentId | undefined> {
  if ('id' in ref) return ref.id;
  const found = 'channelId' in ref ? await uow.incidents.findIncidentIdByChannel(ref.channelId)
    : 'number' in ref ? await uow.incidents.findIncidentIdByNumber(ref.number)
    : await uow.keys.findIncidentIdByPagerDuty(ref.pdIncidentId);
  return found === undefined ? undefined : asIncidentId(found);
}

/** The incident `ref` names, as stored now (no lock). */
export async function findIncident(deps: Pick<AppDeps, 'store'>, ref: IncidentRef): Promise<IncidentState | undefined> {
  return deps.store.transaction(async (uow) => {
    const id = await resolveIncidentId(uow, ref);
    return id ? uow.incidents.readIncident(id) : undefined;
  });
}
