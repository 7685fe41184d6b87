/**
 * In-memory world of the PagerDuty stand-in: users, escalation policies,
 * services, on-calls, priorities, incidents and what was written to them.
 * Tests arrange it directly and assert on it after the client has talked to
 * the stand-in over HTTP.
 */

/** A PagerDuty user. */
export interface StandInUser {
  id: string;
  name: string;
  email: string;
}

/** An escalation policy (only its identity matters here). */
export interface StandInEscalationPolicy {
  id: string;
  name: string;
}

/** A service and the escalation policy that pages for it. */
export interface StandInService {
  id: string;
  name: string;
  escalationPolicyId: string;
  status: 'active' | 'warning' | 'critical' | 'maintenance' | 'disabled';
}

/** Someone on call for a policy at a level (1 = first responders). */
export interface StandInOnCall {
  userId: string;
  escalationPolicyId: string;
  level: number;
}

/** A priority ("P1" … "P5"). */
export interface StandInPriority {
  id: string;
  name: string;
  description: string;
}

/** An incident. */
export interface StandInIncident {
  id: string;
  number: number;
  title: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  urgency: 'high' | 'low';
  serviceId: string;
  escalationPolicyId: string;
  priorityId: string | null;
  incidentKey: string | null;
  details: string | null;
  assigneeIds: string[];
  createdAt: string;
  updatedAt: string;
  resolvedAt: string | null;
}

/** A note added to an incident. */
export interface StandInNote {
  id: string;
  incidentId: string;
  userId: string;
  content: string;
  createdAt: string;
}

/** A status update published on an incident. */
export interface StandInStatusUpdate {
  id: string;
  incidentId: string;
  senderId: string;
  message: string;
  subject: string | null;
  createdAt: string;
}

/** A request for more responders. */
export interface StandInResponderRequest {
  incidentId: string;
  requesterId: string;
  message: string;
  targetUserIds: string[];
  requestedAt: string;
}

/** Priorities as in PagerDuty's own `listPriorities` example. */
export const DEFAULT_PRIORITIES: readonly StandInPriority[] = [
  { id: 'PSLWBL8', name: 'P1', description: 'Critical issue that warrants public notification and liaison with executive teams' },
  { id: 'P53ZZH5', name: 'P2', description: "Critical system issue actively impacting many customers' ability to use the product" },
  { id: 'PGE9YCZ', name: 'P3', description: 'Stability or minor customer-impacting issues that require immediate attention from service owners' },
  { id: 'PVJPWYW', name: 'P4', description: 'Minor issues requiring action, but not affecting customer ability to use the product' },
  { id: 'P81SUUT', name: 'P5', description: 'Cosmetic issues or bugs, not affecting customer ability to use the product' },
];

/** Ids of the default seed, for tests that lean on it. */
export const SEED = {
  users: { alice: 'PUALICE', bob: 'PUBOB00', carol: 'PUCAROL', bot: 'PUKRANZ' },
  emails: { alice: 'alice@example.com', bob: 'bob@example.com', carol: 'carol@example.com', bot: 'kranz-bot@example.com' },
  escalationPolicies: { checkout: 'PEPCHK1', platform: 'PEPPLT1' },
  services: { checkout: 'PSVCCHK', platform: 'PSVCPLT' },
} as const;

export class StandInState {
  readonly users = new Map<string, StandInUser>();
  readonly escalationPolicies = new Map<string, StandInEscalationPolicy>();
  readonly services = new Map<string, StandInService>();
  readonly onCalls: StandInOnCall[] = [];
  readonly priorities: StandInPriority[] = [];
  readonly incidents = new Map<string, StandInIncident>();
  readonly notes: StandInNote[] = [];
  readonly statusUpdates: StandInStatusUpdate[] = [];
  readonly responderRequests: StandInResponderRequest[] = [];
  /** Account abilities; responder requests need `coordinated_responding`. */
  readonly abilities = new Set<string>(['teams', 'urgencies', 'coordinated_responding', 'service_support_hours']);
  private seq = 0;
  private incidentNumber = 0;

  constructor(readonly now: () => Date = () => new Date()) {}

  /** A PagerDuty-looking id: "P" and six base-36 characters, unique here. */
  newId(): string {
    this.seq += 1;
    return `P${this.seq.toString(36).toUpperCase().padStart(6, '0')}`;
  }

  addUser(u: { name: string; email: string; id?: string }): StandInUser {
    const user = { id: u.id ?? this.newId(), name: u.name, email: u.email };
    this.users.set(user.id, user);
    return user;
  }

  addEscalationPolicy(p: { name: string; id?: string }): StandInEscalationPolicy {
    const policy = { id: p.id ?? this.newId(), name: p.name };
    this.escalationPolicies.set(policy.id, policy);
    return policy;
  }

  addService(s: { name: string; escalationPolicyId: string; id?: string; status?: StandInService['status'] }): StandInService {
    const service: StandInService = { id: s.id ?? this.newId(), name: s.name, escalationPolicyId: s.escalationPolicyId, status: s.status ?? 'active' };
    this.services.set(service.id, service);
    return service;
  }

  addOnCall(o: StandInOnCall): StandInOnCall {
    this.onCalls.push(o);
    return o;
  }

  /** Opens an incident the way PagerDuty would: numbered, assigned to level-1 on-call. */
  addIncident(i: {
    title: string;
    serviceId: string;
    urgency?: 'high' | 'low';
    priorityId?: string | null;
    incidentKey?: string | null;
    details?: string | null;
    escalationPolicyId?: string;
    id?: string;
  }): StandInIncident {
    const service = this.services.get(i.serviceId);
    const policyId = i.escalationPolicyId ?? service?.escalationPolicyId ?? '';
    const at = this.now().toISOString();
    this.incidentNumber += 1;
    const incident: StandInIncident = {
      id: i.id ?? this.newId(),
      number: this.incidentNumber,
      title: i.title,
      status: 'triggered',
      urgency: i.urgency ?? 'high',
      serviceId: i.serviceId,
      escalationPolicyId: policyId,
      priorityId: i.priorityId ?? null,
      incidentKey: i.incidentKey ?? null,
      details: i.details ?? null,
      assigneeIds: this.onCalls.filter((o) => o.escalationPolicyId === policyId && o.level === 1).map((o) => o.userId),
      createdAt: at,
      updatedAt: at,
      resolvedAt: null,
    };
    this.incidents.set(incident.id, incident);
    return incident;
  }

  userByEmail(email: string): StandInUser | undefined {
    const wanted = email.trim().toLowerCase();
    for (const u of this.users.values()) if (u.email.toLowerCase() === wanted) return u;
    return undefined;
  }

  /** A small account: two services, four users, on-calls at two levels, P1–P5. */
  seedDefault(): this {
    const { users, emails, escalationPolicies: ep, services } = SEED;
    this.addUser({ id: users.alice, name: 'Alice Archer', email: emails.alice });
    this.addUser({ id: users.bob, name: 'Bob Baker', email: emails.bob });
    this.addUser({ id: users.carol, name: 'Carol Chen', email: emails.carol });
    this.addUser({ id: users.bot, name: 'Kranz Bot', email: emails.bot });
    this.addEscalationPolicy({ id: ep.checkout, name: 'Checkout escalation' });
    this.addEscalationPolicy({ id: ep.platform, name: 'Platform escalation' });
    this.addService({ id: services.checkout, name: 'Checkout API', escalationPolicyId: ep.checkout });
    this.addService({ id: services.platform, name: 'Platform', escalationPolicyId: ep.platform });
    this.addOnCall({ userId: users.alice, escalationPolicyId: ep.checkout, level: 1 });
    this.addOnCall({ userId: users.bob, escalationPolicyId: ep.checkout, level: 2 });
    this.addOnCall({ userId: users.carol, escalationPolicyId: ep.platform, level: 1 });
    this.priorities.push(...DEFAULT_PRIORITIES.map((p) => ({ ...p })));
    return this;
  }
}
