/** Finding an incident by how a command names it (`IncidentRef`, declared with the ports that take it). */
import { asIncidentId, type IncidentId } from '../domain/ids.ts';
import type { IncidentState } from '../domain/incident.ts';
import type { AppDeps, IncidentRef, UnitOfWork } from './ports.ts';

export type { IncidentRef } from './ports.ts';

export async function resolveIncidentId(uow: UnitOfWork, ref: IncidentRef): Promise<IncidentId | undefined> {
  if ('id' in ref) return ref.id;
  const found = 'channelId' in ref ? await uow.incidents.findIncidentIdByChannel(ref.channelId)
    : 'number' in ref ? await uow.incidents.findIncidentIdByNumber(ref.number)
    : await uow.keys.findIncidentIdByPagerDuty(ref.pdIncidentId);
  return found === undefined ? undefined : asIncidentId(found);
}

/** The incident `ref` names, as stored now (one read, no lock). */
export async function findIncident(deps: Pick<AppDeps, 'store'>, ref: IncidentRef): Promise<IncidentState | undefined> {
  return deps.store.reads.findIncident(ref);
}
