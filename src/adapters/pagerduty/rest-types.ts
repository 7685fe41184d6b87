/**
 * The slices of PagerDuty REST resources Kranz uses, and their decoders. The
 * schemas are loose on purpose: PagerDuty adds fields freely, and a decoder
 * only insists on what Kranz reads.
 */
import { z } from 'zod';

const Reference = z.looseObject({
  id: z.string().min(1),
  type: z.string().optional(),
  summary: z.string().nullish(),
  name: z.string().nullish(),
  html_url: z.string().nullish(),
});

/** A PagerDuty priority as Kranz sees it (`name` is e.g. "P1"). */
export interface PdPriority {
  id: string;
  name: string;
  description?: string;
}

/** A user assigned to an incident. */
export interface PdAssignee {
  id: string;
  summary?: string;
}

/** An incident (GET/PUT/POST `/incidents`). */
export interface PdIncident {
  id: string;
  number: number;
  title: string;
  status: string;
  urgency?: string;
  htmlUrl?: string;
  incidentKey: string | null;
  serviceId: string;
  serviceName?: string;
  escalationPolicyId?: string;
  priority: PdPriority | null;
  assignees: PdAssignee[];
  createdAt?: string;
}

/** A service (GET `/services`). */
export interface PdService {
  id: string;
  name: string;
  status?: string;
  htmlUrl?: string;
  escalationPolicyId?: string;
}

/** A user (GET `/users/{id}`, `/users/me`). */
export interface PdUser {
  id: string;
  name: string;
  email: string;
}

/** A note (POST `/incidents/{id}/notes`). */
export interface PdNote {
  id: string;
  content: string;
  createdAt?: string;
  userId?: string;
}

/** A status update (POST `/incidents/{id}/status_updates`). */
export interface PdStatusUpdate {
  id: string;
  message: string;
  createdAt?: string;
}

/** A responder request (POST `/incidents/{id}/responder_requests`). */
export interface PdResponderRequest {
  incidentId: string;
  requesterId?: string;
  message: string;
  requestedAt?: string;
  targetIds: string[];
}

/** An on-call entry (GET `/oncalls`); `email` is present with `include[]=users`. */
export interface PdOnCall {
  userId: string;
  email?: string;
  escalationPolicyId?: string;
  escalationLevel?: number;
}

const PriorityObject = Reference.extend({ description: z.string().nullish() });

function toPriority(p: z.infer<typeof PriorityObject>): PdPriority {
  const out: PdPriority = { id: p.id, name: p.name ?? p.summary ?? p.id };
  if (p.description) out.description = p.description;
  return out;
}

const IncidentObject = z.looseObject({
  id: z.string().min(1),
  incident_number: z.number().int(),
  title: z.string(),
  status: z.string(),
  urgency: z.string().nullish(),
  html_url: z.string().nullish(),
  incident_key: z.string().nullish(),
  created_at: z.string().nullish(),
  service: Reference,
  escalation_policy: Reference.nullish(),
  priority: PriorityObject.nullish(),
  assignments: z.array(z.looseObject({ assignee: Reference })).nullish(),
});

function toIncident(i: z.infer<typeof IncidentObject>): PdIncident {
  const out: PdIncident = {
    id: i.id,
    number: i.incident_number,
    title: i.title,
    status: i.status,
    incidentKey: i.incident_key ?? null,
    serviceId: i.service.id,
    priority: i.priority ? toPriority(i.priority) : null,
    assignees: (i.assignments ?? []).map((a) => withSummary({ id: a.assignee.id }, a.assignee.summary)),
  };
  if (i.urgency) out.urgency = i.urgency;
  if (i.html_url) out.htmlUrl = i.html_url;
  if (i.service.summary ?? i.service.name) out.serviceName = (i.service.summary ?? i.service.name) as string;
  if (i.escalation_policy) out.escalationPolicyId = i.escalation_policy.id;
  if (i.created_at) out.createdAt = i.created_at;
  return out;
}

function withSummary(a: PdAssignee, summary: string | null | undefined): PdAssignee {
  if (summary) a.summary = summary;
  return a;
}

const ServiceObject = z.looseObject({
  id: z.string().min(1),
  name: z.string().nullish(),
  summary: z.string().nullish(),
  status: z.string().nullish(),
  html_url: z.string().nullish(),
  escalation_policy: Reference.nullish(),
});

function toService(s: z.infer<typeof ServiceObject>): PdService {
  const out: PdService = { id: s.id, name: s.name ?? s.summary ?? s.id };
  if (s.status) out.status = s.status;
  if (s.html_url) out.htmlUrl = s.html_url;
  if (s.escalation_policy) out.escalationPolicyId = s.escalation_policy.id;
  return out;
}

const UserObject = z.looseObject({ id: z.string().min(1), name: z.string().nullish(), summary: z.string().nullish(), email: z.string() });

function toUser(u: z.infer<typeof UserObject>): PdUser {
  return { id: u.id, name: u.name ?? u.summary ?? u.id, email: u.email };
}

const OnCallObject = z.looseObject({
  user: z.looseObject({ id: z.string().min(1), email: z.string().nullish() }),
  escalation_policy: Reference.nullish(),
  escalation_level: z.number().int().nullish(),
});

function toOnCall(o: z.infer<typeof OnCallObject>): PdOnCall {
  const out: PdOnCall = { userId: o.user.id };
  if (o.user.email) out.email = o.user.email;
  if (o.escalation_policy) out.escalationPolicyId = o.escalation_policy.id;
  if (typeof o.escalation_level === 'number') out.escalationLevel = o.escalation_level;
  return out;
}

const NoteObject = z.looseObject({
  id: z.string().min(1),
  content: z.string(),
  created_at: z.string().nullish(),
  user: Reference.nullish(),
});

const StatusUpdateObject = z.looseObject({ id: z.string().min(1), message: z.string(), created_at: z.string().nullish() });

const ResponderRequestObject = z.looseObject({
  incident: Reference,
  requester: Reference.nullish(),
  message: z.string().nullish(),
  requested_at: z.string().nullish(),
  responder_request_targets: z.array(z.looseObject({ responder_request_target: z.looseObject({ id: z.string() }) })).nullish(),
});

/** A decoder from a parsed response body to a Kranz value. */
export type Decoder<T> = (body: unknown) => { ok: true; value: T } | { ok: false; reason: string };

function wrapped<S extends z.ZodType, T>(key: string, schema: S, map: (v: z.infer<S>) => T): Decoder<T> {
  const envelope = z.looseObject({ [key]: schema });
  return (body) => {
    const r = envelope.safeParse(body);
    if (!r.success) return { ok: false, reason: `unexpected ${key} body: ${z.prettifyError(r.error)}` };
    return { ok: true, value: map((r.data as Record<string, z.infer<S>>)[key] as z.infer<S>) };
  };
}

/** Offset-paginated list page: `{ <key>: [...], limit, offset, more }`. */
export interface PdPage<T> {
  items: T[];
  more: boolean;
}

function page<S extends z.ZodType, T>(key: string, schema: S, map: (v: z.infer<S>) => T): Decoder<PdPage<T>> {
  const envelope = z.looseObject({ [key]: z.array(schema), more: z.boolean().nullish() });
  return (body) => {
    const r = envelope.safeParse(body);
    if (!r.success) return { ok: false, reason: `unexpected ${key} page: ${z.prettifyError(r.error)}` };
    const items = (r.data as Record<string, z.infer<S>[]>)[key] ?? [];
    return { ok: true, value: { items: items.map(map), more: r.data.more === true } };
  };
}

const AbilitiesBody = z.looseObject({ abilities: z.array(z.string()) });

/** Response decoders, one per operation Kranz uses. */
export const decode = {
  incident: wrapped('incident', IncidentObject, toIncident),
  service: wrapped('service', ServiceObject, toService),
  user: wrapped('user', UserObject, toUser),
  note: wrapped('note', NoteObject, (n): PdNote => {
    const out: PdNote = { id: n.id, content: n.content };
    if (n.created_at) out.createdAt = n.created_at;
    if (n.user) out.userId = n.user.id;
    return out;
  }),
  statusUpdate: wrapped('status_update', StatusUpdateObject, (s): PdStatusUpdate => {
    const out: PdStatusUpdate = { id: s.id, message: s.message };
    if (s.created_at) out.createdAt = s.created_at;
    return out;
  }),
  responderRequest: wrapped('responder_request', ResponderRequestObject, (r): PdResponderRequest => {
    const out: PdResponderRequest = {
      incidentId: r.incident.id,
      message: r.message ?? '',
      targetIds: (r.responder_request_targets ?? []).map((t) => t.responder_request_target.id),
    };
    if (r.requester) out.requesterId = r.requester.id;
    if (r.requested_at) out.requestedAt = r.requested_at;
    return out;
  }),
  servicesPage: page('services', ServiceObject, toService),
  usersPage: page('users', UserObject, toUser),
  prioritiesPage: page('priorities', PriorityObject, toPriority),
  onCallsPage: page('oncalls', OnCallObject, toOnCall),
  abilities: ((body) => {
    const r = AbilitiesBody.safeParse(body);
    return r.success ? { ok: true, value: r.data.abilities } : { ok: false, reason: `unexpected abilities body: ${z.prettifyError(r.error)}` };
  }) satisfies Decoder<string[]>,
};
