/**
 * The REST operations the PagerDuty stand-in serves, with PagerDuty's
 * validation and error shapes (`{ error: { message, code, errors } }`, codes
 * from PagerDuty's error-code table) where Kranz could trip over them.
 */
import type { StandInRoute } from './faults.ts';
import type { Shapes } from './shapes.ts';
import type { StandInState, StandInUser } from './state.ts';

/** What a handler sees. */
export interface RouteContext {
  state: StandInState;
  shapes: Shapes;
  /** Path parameters, in order. */
  params: string[];
  query: URLSearchParams;
  body: unknown;
  /** The user the request acts as (From header, or the user token's owner). */
  actor: StandInUser | undefined;
  /** Set when the request used a user-level token. */
  tokenUserId: string | undefined;
}

/** A handler's answer. */
export interface Reply {
  status: number;
  body?: unknown;
}

/** One operation. */
export interface RouteDef {
  route: StandInRoute;
  method: 'GET' | 'POST' | 'PUT';
  pattern: RegExp;
  /** The OpenAPI document lists a required `From` header for this operation. */
  requiresFrom: boolean;
  handle(ctx: RouteContext): Reply;
}

/** PagerDuty's error body. */
export function pdError(status: number, message: string, code: number, errors?: string[]): Reply {
  return { status, body: { error: errors ? { message, code, errors } : { message, code } } };
}

const notFound = (what: string): Reply => pdError(404, 'Not Found', 2100, [`${what} Not Found`]);
const invalid = (...errors: string[]): Reply => pdError(400, 'Invalid Input Provided', 2001, errors);

type Json = Record<string, unknown>;

function obj(v: unknown): Json | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

/** Classic offset pagination: `limit` (default 25, max 100), `offset`, `more`, `total`. */
function paginate(query: URLSearchParams, key: string, items: unknown[]): Reply {
  const limit = Math.min(100, Math.max(1, Number.parseInt(query.get('limit') ?? '', 10) || 25));
  const offset = Math.max(0, Number.parseInt(query.get('offset') ?? '', 10) || 0);
  const page = items.slice(offset, offset + limit);
  return {
    status: 200,
    body: { [key]: page, limit, offset, more: offset + page.length < items.length, total: query.get('total') === 'true' ? items.length : null },
  };
}

function now(ctx: RouteContext): string {
  return ctx.state.now().toISOString();
}

const ID = '([^/]+)';

/** Every route, matched in order against `METHOD /path`. */
export const ROUTES: readonly RouteDef[] = [
  {
    route: 'getIncident',
    method: 'GET',
    pattern: new RegExp(`^/incidents/${ID}$`),
    requiresFrom: false,
    handle(ctx) {
      const incident = ctx.state.incidents.get(ctx.params[0] ?? '');
      return incident ? { status: 200, body: { incident: ctx.shapes.incident(incident) } } : notFound('Incident');
    },
  },
  {
    route: 'updateIncident',
    method: 'PUT',
    pattern: new RegExp(`^/incidents/${ID}$`),
    requiresFrom: true,
    handle(ctx) {
      const incident = ctx.state.incidents.get(ctx.params[0] ?? '');
      if (!incident) return notFound('Incident');
      const patch = obj(obj(ctx.body)?.['incident']);
      if (!patch) return invalid('incident is required');
      if (patch['type'] !== 'incident' && patch['type'] !== 'incident_reference') return invalid("incident type must be 'incident' or 'incident_reference'");
      const status = patch['status'];
      if (status !== undefined && status !== 'acknowledged' && status !== 'resolved') return pdError(400, 'Invalid Status Provided', 1003);
      const priorityId = obj(patch['priority'])?.['id'];
      if (priorityId !== undefined && !ctx.state.priorities.some((p) => p.id === priorityId)) return pdError(400, 'Invalid Priority', 1020);
      if (status === 'acknowledged' && incident.status === 'resolved') return pdError(400, 'Incident Already Resolved', 1001);
      const at = now(ctx);
      // Resolving a resolved incident answers 200 unchanged, so a retried
      // resolve from Kranz's outbox is harmless here.
      if (status === 'resolved' && incident.status !== 'resolved') {
        incident.status = 'resolved';
        incident.resolvedAt = at;
        incident.updatedAt = at;
      } else if (status === 'acknowledged') {
        incident.status = 'acknowledged';
        incident.updatedAt = at;
      }
      if (typeof priorityId === 'string') {
        incident.priorityId = priorityId;
        incident.updatedAt = at;
      }
      return { status: 200, body: { incident: ctx.shapes.incident(incident) } };
    },
  },
  {
    route: 'createIncident',
    method: 'POST',
    pattern: /^\/incidents$/,
    requiresFrom: true,
    handle(ctx) {
      const i = obj(obj(ctx.body)?.['incident']);
      if (!i || i['type'] !== 'incident') return invalid("incident with type 'incident' is required");
      const title = str(i['title']);
      if (!title) return invalid('Title cannot be empty');
      const serviceId = str(obj(i['service'])?.['id']);
      const service = serviceId ? ctx.state.services.get(serviceId) : undefined;
      if (!service) return invalid('Service not found');
      const urgency = i['urgency'] ?? 'high';
      if (urgency !== 'high' && urgency !== 'low') return invalid('Urgency must be high or low');
      const incidentKey = str(i['incident_key']) ?? null;
      if (incidentKey && [...ctx.state.incidents.values()].some((x) => x.serviceId === service.id && x.incidentKey === incidentKey && x.status !== 'resolved')) {
        return invalid('Open incident with matching dedup key already exists on this service');
      }
      const priorityId = str(obj(i['priority'])?.['id']) ?? null;
      if (priorityId && !ctx.state.priorities.some((p) => p.id === priorityId)) return pdError(400, 'Invalid Priority', 1020);
      const policyId = str(obj(i['escalation_policy'])?.['id']);
      if (policyId && !ctx.state.escalationPolicies.has(policyId)) return pdError(400, 'Escalation Policy Not Found', 1014);
      const incident = ctx.state.addIncident({
        title,
        serviceId: service.id,
        urgency,
        priorityId,
        incidentKey,
        details: str(obj(i['body'])?.['details']) ?? null,
        ...(policyId ? { escalationPolicyId: policyId } : {}),
      });
      return { status: 201, body: { incident: ctx.shapes.incident(incident) } };
    },
  },
  {
    route: 'createIncidentNote',
    method: 'POST',
    pattern: new RegExp(`^/incidents/${ID}/notes$`),
    requiresFrom: true,
    handle(ctx) {
      const incident = ctx.state.incidents.get(ctx.params[0] ?? '');
      if (!incident) return notFound('Incident');
      const content = str(obj(obj(ctx.body)?.['note'])?.['content']);
      if (!content) return invalid('Note content cannot be empty');
      const note = { id: ctx.state.newId(), incidentId: incident.id, userId: ctx.actor?.id ?? '', content, createdAt: now(ctx) };
      ctx.state.notes.push(note);
      // The OpenAPI document gives 200 for this operation.
      return { status: 200, body: { note: ctx.shapes.note(note) } };
    },
  },
  {
    route: 'createIncidentStatusUpdate',
    method: 'POST',
    pattern: new RegExp(`^/incidents/${ID}/status_updates$`),
    requiresFrom: true,
    handle(ctx) {
      const incident = ctx.state.incidents.get(ctx.params[0] ?? '');
      if (!incident) return notFound('Incident');
      const body = obj(ctx.body);
      const message = str(body?.['message']);
      if (!message) return invalid('Message cannot be empty');
      const update = { id: ctx.state.newId(), incidentId: incident.id, senderId: ctx.actor?.id ?? '', message, subject: str(body?.['subject']) ?? null, createdAt: now(ctx) };
      ctx.state.statusUpdates.push(update);
      return { status: 200, body: { status_update: ctx.shapes.statusUpdate(update) } };
    },
  },
  {
    route: 'createIncidentResponderRequest',
    method: 'POST',
    pattern: new RegExp(`^/incidents/${ID}/responder_requests$`),
    // The OpenAPI document lists no From header here; the requester is in the body.
    requiresFrom: false,
    handle(ctx) {
      if (!ctx.state.abilities.has('coordinated_responding')) return pdError(402, 'Missing Account Ability', 2014, ['coordinated_responding']);
      const incident = ctx.state.incidents.get(ctx.params[0] ?? '');
      if (!incident) return notFound('Incident');
      const body = obj(ctx.body);
      const requesterId = str(body?.['requester_id']);
      if (!requesterId) return pdError(400, 'You must specify a requester_id to perform this action', 2011);
      if (!ctx.state.users.has(requesterId)) return pdError(400, 'Requester User Not Found', 1008);
      const targets = Array.isArray(body?.['responder_request_targets']) ? (body['responder_request_targets'] as unknown[]) : [];
      const targetIds = targets.map((t) => str(obj(obj(t)?.['responder_request_target'])?.['id']));
      if (targetIds.length === 0 || targetIds.some((id) => id === undefined || !ctx.state.users.has(id))) {
        return invalid('responder_request_targets must name existing users');
      }
      const request = {
        incidentId: incident.id,
        requesterId,
        message: str(body?.['message']) ?? '',
        targetUserIds: targetIds as string[],
        requestedAt: now(ctx),
      };
      ctx.state.responderRequests.push(request);
      return { status: 200, body: { responder_request: ctx.shapes.responderRequest(request) } };
    },
  },
  {
    route: 'listOnCalls',
    method: 'GET',
    pattern: /^\/oncalls$/,
    requiresFrom: false,
    handle(ctx) {
      const policies = ctx.query.getAll('escalation_policy_ids[]');
      const users = ctx.query.getAll('user_ids[]');
      const include = new Set(ctx.query.getAll('include[]'));
      const rows = ctx.state.onCalls
        .filter((o) => (policies.length === 0 || policies.includes(o.escalationPolicyId)) && (users.length === 0 || users.includes(o.userId)))
        .map((o) => {
          const user = ctx.state.users.get(o.userId);
          const policy = ctx.state.escalationPolicies.get(o.escalationPolicyId);
          return {
            user: include.has('users') && user ? ctx.shapes.user(user) : ctx.shapes.userRef(o.userId),
            schedule: null,
            escalation_policy: include.has('escalation_policies') && policy ? ctx.shapes.policy(policy) : ctx.shapes.policyRef(o.escalationPolicyId),
            escalation_level: o.level,
            // Permanently on call (no schedule), as PagerDuty reports it.
            start: null,
            end: null,
          };
        });
      return paginate(ctx.query, 'oncalls', rows);
    },
  },
  {
    route: 'getService',
    method: 'GET',
    pattern: new RegExp(`^/services/${ID}$`),
    requiresFrom: false,
    handle(ctx) {
      const service = ctx.state.services.get(ctx.params[0] ?? '');
      return service ? { status: 200, body: { service: ctx.shapes.service(service) } } : notFound('Service');
    },
  },
  {
    route: 'listServices',
    method: 'GET',
    pattern: /^\/services$/,
    requiresFrom: false,
    handle(ctx) {
      const q = ctx.query.get('query')?.toLowerCase();
      const services = [...ctx.state.services.values()].filter((s) => !q || s.name.toLowerCase().includes(q));
      return paginate(ctx.query, 'services', services.map((s) => ctx.shapes.service(s)));
    },
  },
  {
    route: 'listUsers',
    method: 'GET',
    pattern: /^\/users$/,
    requiresFrom: false,
    handle(ctx) {
      // PagerDuty filters users by name or email with `query`.
      const q = ctx.query.get('query')?.toLowerCase();
      const users = [...ctx.state.users.values()].filter((u) => !q || u.email.toLowerCase().includes(q) || u.name.toLowerCase().includes(q));
      return paginate(ctx.query, 'users', users.map((u) => ctx.shapes.user(u)));
    },
  },
  {
    route: 'getCurrentUser',
    method: 'GET',
    pattern: /^\/users\/me$/,
    requiresFrom: false,
    handle(ctx) {
      // PagerDuty: "This will not work if the request is made with an account-level access token."
      const user = ctx.tokenUserId ? ctx.state.users.get(ctx.tokenUserId) : undefined;
      if (!user) return invalid('This endpoint requires a user-level API token');
      return { status: 200, body: { user: ctx.shapes.user(user) } };
    },
  },
  {
    route: 'getUser',
    method: 'GET',
    pattern: new RegExp(`^/users/${ID}$`),
    requiresFrom: false,
    handle(ctx) {
      const user = ctx.state.users.get(ctx.params[0] ?? '');
      return user ? { status: 200, body: { user: ctx.shapes.user(user) } } : notFound('User');
    },
  },
  {
    route: 'listAbilities',
    method: 'GET',
    pattern: /^\/abilities$/,
    requiresFrom: false,
    handle(ctx) {
      return { status: 200, body: { abilities: [...ctx.state.abilities].sort() } };
    },
  },
  {
    route: 'listPriorities',
    method: 'GET',
    pattern: /^\/priorities$/,
    requiresFrom: false,
    handle(ctx) {
      return paginate(ctx.query, 'priorities', ctx.state.priorities.map((p) => ctx.shapes.priority(p)));
    },
  },
];

/** Finds the operation for a request; path parameters come back decoded. */
export function matchRoute(method: string, pathname: string): { def: RouteDef; params: string[] } | undefined {
  for (const def of ROUTES) {
    if (def.method !== method) continue;
    const m = def.pattern.exec(pathname);
    if (!m) continue;
    try {
      return { def, params: m.slice(1).map((p) => decodeURIComponent(p ?? '')) };
    } catch {
      return undefined;
    }
  }
  return undefined;
}
