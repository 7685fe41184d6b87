/** Analytics over the incidents the viewer may see (a private incident counts only for its channel's members and admins). */
import { computeAnalytics, type Analytics } from '../domain/analytics.ts';
import type { BrowseDeps } from './browse-incidents.ts';
import { viewerScope, type Viewer } from './incident-visibility.ts';
import type { IncidentFilter } from './web-ports.ts';

export async function incidentAnalytics(deps: BrowseDeps, viewer: Viewer, filter: IncidentFilter, nowMs: number): Promise<Analytics & { unchecked: number }> {
  const { scope, unchecked } = await viewerScope(viewer, deps);
  const states = await deps.reads.states(filter, scope);
  const marks = await deps.reads.updateMarks(states.map((s) => s.id));
  return { ...computeAnalytics(states, marks, deps.policy, nowMs), unchecked };
}
