/** Read-only queries for Slack replies and the CLI. */
import type { IncidentState } from '../domain/incident.ts';
import { resolveIncidentId, type IncidentRef } from './apply-command.ts';
import type { AppDeps } from './ports.ts';

export async function findIncident(deps: AppDeps, ref: IncidentRef): Promise<IncidentState | undefined> {
  return deps.store.transaction(async (uow) => {
    const id = await resolveIncidentId(uow, ref);
    return id ? uow.readIncident(id) : undefined;
  });
}

export async function listOpenIncidents(deps: AppDeps, limit = 50) {
  return deps.store.transaction((uow) => uow.listOpenIncidents(limit));
}
