/**
 * What a customer-facing status update publishes: the status page entry and
 * the emails, decided once here so the update form's preview and the
 * transition agree to the letter ("shows exactly what will be published").
 *
 * Only customer-impacting incidents publish; a private incident never does
 * unless the policy allows it; with `publish: ask` nothing goes out without
 * the responder's tick. The first publication creates the status page
 * incident (named by the customer-facing title, never the internal one);
 * later ones add updates; a `resolved` update (or resolving the incident)
 * resolves it and sets its components operational, and updates after that
 * (until a reopen) add to the resolved page incident.
 *
 * What goes out is cleaned first (`customerText`: no Slack mentions, channel
 * links, PagerDuty or Slack links, other customers' names). An update whose
 * summary, or title where it is published, has none of its writer's words
 * left once cleaned publishes nothing: it is `no_words`, which the form shows
 * and the transition refuses, so customers never get an empty update.
 */
import type { ComponentState, CustomerEmail, StatusPagePublication } from './effects.ts';
import type { Status } from './events.ts';
import type { CustomerFacingInput } from './customer-facing.ts';
import { sameAddress, withAddresses } from './email-addresses.ts';
import type { IncidentState } from './incident.ts';
import { COMPONENT_IMPACTS, customerEmails, emailsUpdates, findSeverity, statusPagePolicy, type ComponentImpact, type CustomerPolicy, type Outlets, type Policy } from './policy.ts';
import { cleanForCustomer, customerText, type CustomerTextRemoval } from './report/customer-text.ts';

export type { CustomerFacingInput, CustomerFacingState } from './customer-facing.ts';

export type PublicationBlock = 'not_customer_impacting' | 'private' | 'no_outlet' | 'not_approved' | 'title_required' | 'no_words';

/** A part of the update that would reach customers with none of its writer's words left, and what the cleaning took out of it. */
export interface WordlessPart {
  field: 'summary' | 'title';
  removed: CustomerTextRemoval[];
}

export interface CustomerPlan {
  /** Why nothing goes out, when nothing does. */
  blocked?: PublicationBlock;
  /** Whether the form must ask (publish: ask and something would go out). */
  needsApproval: boolean;
  title?: string;
  statusPage?: StatusPagePublication;
  emails: CustomerEmail[];
  /** With `no_words`: the parts with no words left (the summary before the title). */
  wordless?: WordlessPart[];
}

const STATUS_WORDS: Record<Status, string> = { investigating: 'Investigating', identified: 'Identified', monitoring: 'Monitoring', resolved: 'Resolved', closed: 'Resolved' };

/** Outlets as the policy knows them (the composition root replaces this with the environment's). */
export function outletsOf(policy: Policy): Outlets {
  const sp = statusPagePolicy(policy);
  return sp.outlets ?? { statusPage: Boolean(sp.pageId), email: false };
}

/** The components an incident affects by default: those mapped to its PagerDuty services, at an impact matching its severity. */
export function defaultImpact(policy: Policy, state: IncidentState): Record<string, ComponentImpact | 'none'> {
  const sp = statusPagePolicy(policy);
  const services = new Set<string>(state.pagerDutyIncidents.flatMap((p) => (p.serviceId ? [p.serviceId as string] : [])));
  const previous = state.customerFacing?.statusPage?.components ?? {};
  const rank = policy.severities.findIndex((s) => s.key === state.severity);
  const bySeverity: ComponentImpact = rank <= 0 ? 'major_outage' : rank === 1 ? 'partial_outage' : 'degraded_performance';
  const out: Record<string, ComponentImpact | 'none'> = {};
  for (const c of sp.components) {
    const before = previous[c.componentId];
    if (before && before !== 'operational') out[c.service] = before;
    else out[c.service] = c.pagerDutyServices.some((id) => services.has(id)) ? bySeverity : 'none';
  }
  return out;
}

/**
 * The publications of one customer-facing update. `updateEventId` names the
 * status update (effects point at it); `at` and `nextUpdateAt` feed the email.
 */
export function planCustomerUpdate(
  policy: Policy,
  state: IncidentState,
  update: { status: Status; summary: string; nextUpdateAt?: string; updateEventId?: string },
  input: CustomerFacingInput | undefined,
): CustomerPlan {
  const sp = statusPagePolicy(policy);
  const outlets = outletsOf(policy);
  const sev = findSeverity(policy, state.severity);
  const empty = (blocked: PublicationBlock, needsApproval = false): CustomerPlan => ({ blocked, needsApproval, emails: [] });
  if (!sev?.customerImpacting) return empty('not_customer_impacting');
  if (state.private && !sp.publishPrivate) return empty('private');
  const page = outlets.statusPage && sp.pageId ? sp.pageId : undefined;
  const recipients = outlets.email && emailsUpdates(sev) ? emailRecipients(policy, state) : [];
  if (!page && recipients.length === 0) return empty('no_outlet');
  const needsApproval = sp.publish === 'ask';
  const title = (input?.title?.trim() || state.customerFacing?.title)?.slice(0, 200);
  if (!title) return empty('title_required', needsApproval);
  const plan: CustomerPlan = { needsApproval, title, emails: [] };
  // Every text that goes out is checked as it goes out: each audience has its own customers' names taken out.
  const wordless = new Map<WordlessPart['field'], Set<CustomerTextRemoval>>();
  const cleaner = (others: readonly CustomerPolicy[]): Cleaner => (field, text) => {
    const c = customerText(text, others);
    if (!c.hasWords) {
      const removed = wordless.get(field) ?? new Set();
      for (const r of c.removed) removed.add(r);
      wordless.set(field, removed);
    }
    return c.text;
  };
  // A public page: every configured customer's name is "another customer" to its readers.
  if (page) plan.statusPage = statusPageEntry(policy, state, page, title, update, input, cleaner(knownCustomers(policy, state)));
  const n = (state.customerFacing?.emailedUpdates ?? 0) + 1;
  for (const r of recipients) {
    // Cleaned as the customer report is: another customer's name is not for this one's eyes.
    const clean = cleaner(othersThan(policy, state, r.customerId));
    const subjectTitle = clean('title', title);
    plan.emails.push({
      kind: 'email.send', to: r.email, customerId: r.customerId,
      subject: `[INC-${state.number}] ${subjectTitle}`, text: emailText(policy, state, plan.statusPage, { ...update, summary: clean('summary', update.summary) }, subjectTitle),
      messageKey: `u${n}`, previousKeys: Array.from({ length: n - 1 }, (_, i) => `u${i + 1}`),
      ...(update.updateEventId ? { updateEventId: update.updateEventId } : {}),
    });
  }
  if (needsApproval && !input?.approved) return { ...plan, blocked: 'not_approved', statusPage: undefined, emails: [] } as CustomerPlan;
  if (wordless.size) {
    const parts = (['summary', 'title'] as const).flatMap((field): WordlessPart[] => {
      const removed = wordless.get(field);
      return removed ? [{ field, removed: [...removed] }] : [];
    });
    return { blocked: 'no_words', needsApproval, title, emails: [], wordless: parts };
  }
  return plan;
}

/** What customers are told of a resolution that is not itself a published update (its text may be internal). */
const RESOLVED_BODY = 'This incident has been resolved.';

/** The status page's part of resolving the incident, when its page incident is still open. */
export function resolvePublication(state: IncidentState): StatusPagePublication | undefined {
  const page = state.customerFacing?.statusPage;
  if (!page || page.resolved) return undefined;
  return {
    kind: 'statuspage.publish', action: 'resolve', pageId: page.pageId, status: 'resolved',
    body: RESOLVED_BODY, components: operational(page.components), ...(page.pageIncidentId ? { pageIncidentId: page.pageIncidentId } : {}),
  };
}

/**
 * The email part of resolving the incident: the contacts the updates were
 * emailed to hear of it in the same thread, whatever the severity is now
 * (they heard of the trouble, so they hear of its end). None without a mail server.
 */
export function resolutionEmails(policy: Policy, state: IncidentState, updateEventId?: string): CustomerEmail[] {
  const facing = state.customerFacing;
  if (!facing?.emailedTo?.length || !facing.title || !outletsOf(policy).email) return [];
  const n = facing.emailedUpdates + 1;
  const page = resolvePublication(state);
  return facing.emailedTo.map((to): CustomerEmail => {
    const customerId = knownCustomers(policy, state).find((c) => customerEmails(c).some((a) => sameAddress(a, to)))?.id ?? '';
    const title = cleanForCustomer(facing.title!, othersThan(policy, state, customerId));
    return {
      kind: 'email.send', to, customerId,
      subject: `[INC-${state.number}] ${title}`, text: emailText(policy, state, page, { status: 'resolved', summary: RESOLVED_BODY }, title),
      messageKey: `u${n}`, previousKeys: Array.from({ length: n - 1 }, (_, i) => `u${i + 1}`),
      ...(updateEventId ? { updateEventId } : {}),
    };
  });
}

/** Cleans one part of the update for one audience, noting a part left without words. */
type Cleaner = (field: WordlessPart['field'], text: string) => string;

function statusPageEntry(
  policy: Policy,
  state: IncidentState,
  pageId: string,
  title: string,
  update: { status: Status; summary: string; updateEventId?: string },
  input: CustomerFacingInput | undefined,
  clean: Cleaner,
): StatusPagePublication {
  const sp = statusPagePolicy(policy);
  // Until a reopen, updates after the resolution (a postmortem note) go on the resolved page incident: a
  // new one would show customers a second incident and lose the recorded id. After a reopen it is a new one.
  const recorded = state.customerFacing?.statusPage;
  const open = recorded && (!recorded.resolved || state.status === 'resolved' || state.status === 'closed') ? recorded : undefined;
  const status = update.status === 'closed' ? 'resolved' : update.status;
  const impact = input?.impact ?? defaultImpact(policy, state);
  let components: Record<string, ComponentState> = {};
  if (status === 'resolved') components = operational(open?.components ?? {});
  else {
    for (const c of sp.components) {
      const chosen = impact[c.service];
      if (chosen && chosen !== 'none' && (COMPONENT_IMPACTS as readonly string[]).includes(chosen)) components[c.componentId] = chosen;
      // A component affected before and now set to none is back to operational.
      else if (open?.components[c.componentId] && open.components[c.componentId] !== 'operational') components[c.componentId] = 'operational';
    }
  }
  // The title is published only as the name of a new page incident.
  return {
    kind: 'statuspage.publish', action: open ? 'update' : 'create', pageId, ...(open ? {} : { name: clean('title', title) }), status,
    body: clean('summary', update.summary), components, ...(update.updateEventId ? { updateEventId: update.updateEventId } : {}),
    ...(open?.pageIncidentId ? { pageIncidentId: open.pageIncidentId } : {}),
  };
}

/** Every customer Kranz knows of: the policy's and those recorded when attached (a customer since removed from it included). */
function knownCustomers(policy: Policy, state: IncidentState): CustomerPolicy[] {
  const out = [...policy.customers];
  for (const c of state.policy?.customers ?? []) if (!out.some((o) => o.id === c.id)) out.push(c);
  return out;
}

function othersThan(policy: Policy, state: IncidentState, customerId: string): CustomerPolicy[] {
  return knownCustomers(policy, state).filter((c) => c.id !== customerId);
}

function operational(components: Record<string, ComponentState>): Record<string, ComponentState> {
  return Object.fromEntries(Object.keys(components).map((id) => [id, 'operational' as const]));
}

function emailRecipients(policy: Policy, state: IncidentState): { email: string; customerId: string }[] {
  let out: { email: string; customerId: string }[] = [];
  for (const id of state.customers) {
    const c = policy.customers.find((x) => x.id === id);
    if (c) out = withAddresses(out, customerEmails(c).map((email) => ({ email, customerId: c.id })), (o) => o.email);
  }
  return out;
}

function emailText(policy: Policy, state: IncidentState, page: StatusPagePublication | undefined, update: { status: Status; summary: string; nextUpdateAt?: string }, title: string): string {
  const sp = statusPagePolicy(policy);
  const names = (ids: Record<string, ComponentState>): string =>
    Object.entries(ids).map(([id, s]) => `${sp.components.find((c) => c.componentId === id)?.service ?? id} (${s.replace(/_/g, ' ')})`).join(', ');
  const lines = [`${title}`, '', `Status: ${STATUS_WORDS[update.status]}`, '', update.summary.trim(), ''];
  if (page && Object.keys(page.components).length) lines.push(`Affected: ${names(page.components)}`);
  if (update.status !== 'resolved' && update.nextUpdateAt) lines.push(`Next update by ${update.nextUpdateAt.slice(0, 16).replace('T', ' ')} UTC.`);
  lines.push('', `Reference: INC-${state.number}. You receive this as a contact of an affected customer.`);
  return lines.join('\n');
}
