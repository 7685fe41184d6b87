/** The customer-facing side of an incident: what a status update carries for customers, and what the incident records. */
import type { ComponentState } from './effects.ts';
import type { ComponentImpact } from './policy.ts';

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
}
