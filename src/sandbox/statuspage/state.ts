/**
 * In-memory state of the Statuspage stand-in: pages, components, incidents
 * and their updates, in the shapes Statuspage's REST API v1 answers with
 * (developer.statuspage.io: Page, Component, Incident, IncidentUpdate).
 * Incident updates are listed newest first, as Statuspage lists them.
 */
import { randomBytes } from 'node:crypto';

export const COMPONENT_STATUSES = ['operational', 'under_maintenance', 'degraded_performance', 'partial_outage', 'major_outage'] as const;
export type ComponentStatus = (typeof COMPONENT_STATUSES)[number];
export const INCIDENT_STATUSES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

export interface SpPage {
  id: string;
  name: string;
  subdomain: string;
  domain: string | null;
  url: string;
  time_zone: string;
  created_at: string;
  updated_at: string;
}

export interface SpComponent {
  id: string;
  page_id: string;
  group_id: string | null;
  name: string;
  description: string | null;
  status: ComponentStatus;
  position: number;
  showcase: boolean;
  only_show_if_degraded: boolean;
  group: boolean;
  start_date: string | null;
  automation_email: string;
  created_at: string;
  updated_at: string;
}

export interface SpAffectedComponent {
  code: string;
  name: string;
  old_status: ComponentStatus;
  new_status: ComponentStatus;
}

export interface SpIncidentUpdate {
  id: string;
  incident_id: string;
  status: IncidentStatus;
  body: string;
  affected_components: SpAffectedComponent[] | null;
  deliver_notifications: boolean;
  custom_tweet: string | null;
  tweet_id: string | null;
  display_at: string;
  created_at: string;
  updated_at: string;
}

export interface SpIncident {
  id: string;
  page_id: string;
  name: string;
  status: IncidentStatus;
  impact: 'none' | 'minor' | 'major' | 'critical';
  impact_override: string | null;
  shortlink: string;
  metadata: Record<string, unknown>;
  components: SpComponent[];
  incident_updates: SpIncidentUpdate[];
  postmortem_body: string | null;
  scheduled_for: string | null;
  scheduled_until: string | null;
  started_at: string;
  monitoring_at: string | null;
  resolved_at: string | null;
  created_at: string;
  updated_at: string;
}

/** What a create or update request may carry (`incident[...]`). */
export interface IncidentInput {
  name?: string;
  status?: IncidentStatus;
  body?: string;
  impact_override?: string;
  deliver_notifications?: boolean;
  metadata?: Record<string, unknown>;
  components?: Record<string, ComponentStatus>;
  component_ids?: string[];
}

/** Statuspage ids are 12 lowercase letters and digits. */
export function spId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(12)].map((b) => alphabet[b % alphabet.length]).join('');
}

const IMPACT_BY_STATUS: Record<ComponentStatus, SpIncident['impact']> = {
  operational: 'none', under_maintenance: 'none', degraded_performance: 'minor', partial_outage: 'major', major_outage: 'critical',
};
const IMPACT_RANK = ['none', 'minor', 'major', 'critical'] as const;

export class StatusPageState {
  readonly pages = new Map<string, SpPage>();
  readonly components = new Map<string, SpComponent>();
  readonly incidents = new Map<string, SpIncident>();
  private shortlinks = 0;

  constructor(private readonly now: () => Date = () => new Date()) {}

  addPage(p: { id?: string; name: string; subdomain?: string }): SpPage {
    const at = this.now().toISOString();
    const subdomain = p.subdomain ?? p.name.toLowerCase().replace(/[^a-z0-9]+/g, '');
    const page: SpPage = { id: p.id ?? spId(), name: p.name, subdomain, domain: null, url: `https://${subdomain}.statuspage.io`, time_zone: 'Etc/UTC', created_at: at, updated_at: at };
    this.pages.set(page.id, page);
    return page;
  }

  addComponent(pageId: string, c: { id?: string; name: string; status?: ComponentStatus }): SpComponent {
    const at = this.now().toISOString();
    const position = [...this.components.values()].filter((x) => x.page_id === pageId).length + 1;
    const id = c.id ?? spId();
    const comp: SpComponent = {
      id, page_id: pageId, group_id: null, name: c.name, description: null, status: c.status ?? 'operational', position,
      showcase: true, only_show_if_degraded: false, group: false, start_date: null, automation_email: `component+${id}@notifications.statuspage.io`,
      created_at: at, updated_at: at,
    };
    this.components.set(comp.id, comp);
    return comp;
  }

  pageComponents(pageId: string): SpComponent[] {
    return [...this.components.values()].filter((c) => c.page_id === pageId).sort((a, b) => a.position - b.position);
  }

  pageIncidents(pageId: string): SpIncident[] {
    return [...this.incidents.values()].filter((i) => i.page_id === pageId).sort((a, b) => (a.created_at < b.created_at ? 1 : -1));
  }

  /** Validates component references; returns the unknown ids. */
  unknownComponents(pageId: string, input: IncidentInput): string[] {
    const ids = [...Object.keys(input.components ?? {}), ...(input.component_ids ?? [])];
    return ids.filter((id) => this.components.get(id)?.page_id !== pageId);
  }

  createIncident(pageId: string, input: IncidentInput & { name: string }): SpIncident {
    const at = this.now().toISOString();
    const id = spId();
    const status = input.status ?? 'investigating';
    const incident: SpIncident = {
      id, page_id: pageId, name: input.name, status, impact: 'none', impact_override: input.impact_override ?? null,
      shortlink: `https://stspg.io/${(++this.shortlinks).toString(36).padStart(5, '0')}`,
      metadata: input.metadata ?? {}, components: [], incident_updates: [], postmortem_body: null, scheduled_for: null, scheduled_until: null,
      started_at: at, monitoring_at: null, resolved_at: null, created_at: at, updated_at: at,
    };
    this.incidents.set(id, incident);
    this.applyUpdate(incident, { ...input, status }, at);
    return incident;
  }

  updateIncident(incident: SpIncident, input: IncidentInput): SpIncident {
    const at = this.now().toISOString();
    if (input.name !== undefined) incident.name = input.name;
    if (input.metadata !== undefined) incident.metadata = { ...incident.metadata, ...input.metadata };
    this.applyUpdate(incident, input, at);
    incident.updated_at = at;
    return incident;
  }

  /** Component changes, then an incident update when there is a body or a status change (as Statuspage does). */
  private applyUpdate(incident: SpIncident, input: IncidentInput, at: string): void {
    const affected: SpAffectedComponent[] = [];
    for (const [cid, status] of Object.entries(input.components ?? {})) {
      const c = this.components.get(cid);
      if (!c) continue;
      if (c.status !== status) affected.push({ code: c.id, name: c.name, old_status: c.status, new_status: status });
      c.status = status;
      c.updated_at = at;
      if (!incident.components.some((x) => x.id === c.id)) incident.components.push(c);
    }
    for (const cid of input.component_ids ?? []) {
      const c = this.components.get(cid);
      if (c && !incident.components.some((x) => x.id === c.id)) incident.components.push(c);
    }
    const statusChanged = input.status !== undefined && (incident.incident_updates.length === 0 || input.status !== incident.status);
    if (input.status) {
      incident.status = input.status;
      if (input.status === 'monitoring' && !incident.monitoring_at) incident.monitoring_at = at;
      if (input.status === 'resolved') incident.resolved_at ??= at;
    }
    const impacts = incident.components.map((c) => IMPACT_BY_STATUS[c.status]);
    const worst = impacts.reduce<SpIncident['impact']>((w, i) => (IMPACT_RANK.indexOf(i) > IMPACT_RANK.indexOf(w) ? i : w), 'none');
    if (IMPACT_RANK.indexOf(worst) > IMPACT_RANK.indexOf(incident.impact)) incident.impact = worst;
    if (input.body === undefined && !statusChanged) return;
    incident.incident_updates.unshift({
      id: spId(), incident_id: incident.id, status: incident.status, body: input.body ?? '',
      affected_components: affected.length ? affected : null, deliver_notifications: input.deliver_notifications ?? true,
      custom_tweet: null, tweet_id: null, display_at: at, created_at: at, updated_at: at,
    });
  }
}
