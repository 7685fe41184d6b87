/** Read-only queries for Slack replies and the CLI. */
import type { IncidentState } from '../domain/incident.ts';
import { resolveIncidentId, type IncidentRef } from './apply-command.ts';
import type { AppDeps } from './ports.ts';

export async function findIncident(deps: AppDeps, ref: IncidentRef): Promise<IncidentState | undefined> {
  return deps.store.transaction(async (uow) => {
    const id = await resolveIncidentId(uow, ref);
    return id ? uow.incidents.readIncident(id) : undefined;
  });
}

export async function listOpenIncidents(deps: AppDeps, limit = 50) {
  return deps.store.transaction((uow) => uow.incidents.listOpenIncidents(limit));
}

/**
 * Open incidents as `userId` may see them: a private incident (its title,
 * channel and state) only to the people in its channel. The others do not
 * learn that it exists, not even as a count.
 */
export async function listOpenIncidentsFor(deps: AppDeps, userId: string, limit = 50) {
  const rows = await listOpenIncidents(deps, limit);
  return rows.filter((r) => !r.private || r.members.includes(userId));
}
