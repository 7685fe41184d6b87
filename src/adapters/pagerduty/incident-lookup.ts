/**
 * The `PagerDutyIncidents` port on the REST client: what PagerDuty says of one
 * of its incidents before someone links it (`/incident link`). Only PagerDuty's
 * 404 means "no such incident"; every other failure (down, slow, rate-limited,
 * a refused token) means it could not say, and the link is made by id.
 */
import type { PagerDutyIncidentLookup, PagerDutyIncidents } from '../../app/ports.ts';
import { asPdServiceId, type PdIncidentId } from '../../domain/ids.ts';
import type { PagerDutyClient } from './client.ts';
import { describePdError } from './errors.ts';

export function pagerDutyIncidents(client: Pick<PagerDutyClient, 'getIncident'>): PagerDutyIncidents {
  return {
    async lookUp(pdIncidentId: PdIncidentId): Promise<PagerDutyIncidentLookup> {
      const r = await client.getIncident(pdIncidentId);
      if (r.ok) {
        const i = r.value;
        return { kind: 'found', incident: { number: i.number, title: i.title, serviceId: asPdServiceId(i.serviceId), ...(i.htmlUrl ? { url: i.htmlUrl } : {}) } };
      }
      if (r.error.kind === 'rejected' && r.error.status === 404) return { kind: 'not_found' };
      return { kind: 'unavailable', reason: describePdError(r.error) };
    },
  };
}
