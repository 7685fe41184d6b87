/** Read-only queries for Slack replies and the CLI. */
import { isPolicyAdmin } from './access.ts';
import type { AppDeps } from './ports.ts';

export { findIncident } from './incident-ref.ts';

export async function listOpenIncidents(deps: AppDeps, limit = 50) {
  return deps.store.transaction((uow) => uow.incidents.listOpenIncidents(limit));
}

/**
 * Open incidents as `userId` may see them: a private incident (its title,
 * channel and state) only to the people in its channel and to policy admins.
 * The others do not learn that it exists, not even as a count.
 */
export async function listOpenIncidentsFor(deps: AppDeps, userId: string, limit = 50) {
  const rows = await listOpenIncidents(deps, limit);
  const hidden = (r: (typeof rows)[number]): boolean => r.private && !r.members.includes(userId);
  // Slack is asked about admin groups only when something would be hidden.
  if (rows.some(hidden) && (await isPolicyAdmin(deps, userId))) return rows;
  return rows.filter((r) => !hidden(r));
}
