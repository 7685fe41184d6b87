/** The customer-facing side of an incident: what a status update carries for customers, and what the incident records. */
import type { ComponentState } from './effects.ts';
import type { EventPayloads, Status } from './events.ts';
import type { ComponentImpact } from './policy.ts';
import { withAddresses } from './email-addresses.ts';

/** The customer-facing part of a status update, as the form submits it. */
export interface CustomerFacingInput {
  /** Name of the status page incident and subject of the emails; needed until one is recorded. */
  title?: string;
  /** Kranz service (a `statuspage.components` key) → impact; `none` leaves the component out. */
  impact?: Record<string, ComponentImpact | 'none'>;
  /** The responder ticked "publish" after seeing the preview (`publish: ask`). */
  approved: boolean;
}


/** The incident's customer-facing record (state). */
export interface CustomerFacingState {
  title?: string;
  /** Set once a publication to the status page was decided; `pageIncidentId`/`url` once it is created. */
  statusPage?: { pageId: string; resolved: boolean; components: Record<string, ComponentState>; pageIncidentId?: string; url?: string };
  /** Customer-facing updates emailed so far (the thread's length). */
  emailedUpdates: number;
  /** The addresses emailed so far: who hears of the resolution when it is not itself an emailed update. */
  emailedTo?: string[];
}

/** The customer-facing part of a recorded status update. */
type CustomerUpdate = NonNullable<EventPayloads['status_update_posted']['customer']>;

/** The record after a status update that published something to customers. */

export function afterCustomerUpdate(before: CustomerFacingState | undefined, status: Status, c: CustomerUpdate): CustomerFacingState {
  const out: CustomerFacingState = { ...before, title: c.title || before?.title, ...emailed(before, c.emailedTo) };
  if (c.statusPage) {
    const kept = c.statusPage.action === 'update' ? before?.statusPage : undefined;
    out.statusPage = {
      ...(kept ?? {}),
      pageId: c.statusPage.pageId,
      resolved: status === 'resolved' || status === 'closed',
      components: { ...(kept?.components ?? {}), ...c.statusPage.components },
    };
    // A new page incident (after a reopen) is not the old one.
    if (!kept) {
      delete out.statusPage.pageIncidentId;
      delete out.statusPage.url;
    }
  }
  return out;
}

/** Resolving closes an open page incident and may email the resolution (one more message in each thread). */
export function resolvedFacing(c: CustomerFacingState, emailedTo: readonly string[] | undefined): CustomerFacingState {
  const page = c.statusPage;
  const out: CustomerFacingState = { ...c, ...emailed(c, emailedTo) };
  if (page && !page.resolved) out.statusPage = { ...page, resolved: true, components: Object.fromEntries(Object.keys(page.components).map((id) => [id, 'operational' as const])) };
  return out;
}

/** The thread's length and its addresses after one more emailed message (none when `to` is empty). */
function emailed(before: CustomerFacingState | undefined, to: readonly string[] | undefined): Pick<CustomerFacingState, 'emailedUpdates' | 'emailedTo'> {
  const n = before?.emailedUpdates ?? 0;
  if (!to?.length) return { emailedUpdates: n, ...(before?.emailedTo ? { emailedTo: before.emailedTo } : {}) };
  return { emailedUpdates: n + 1, emailedTo: withAddresses(before?.emailedTo ?? [], to, (a) => a) };
}
