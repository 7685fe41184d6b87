/**
 * The narrow ports the web view reads through: incidents and their events
 * (Postgres), who is in a channel and which workspace the bot serves (Slack),
 * and the Sign in with Slack code exchange. Read-only: the web view changes
 * nothing an incident holds.
 */
import type { IncidentEvent } from '../domain/events.ts';
import type { IncidentState } from '../domain/incident.ts';
import type { StatusMark } from '../domain/analytics.ts';

/** What the incident list can be narrowed by. All optional; strings are matched exactly except `q`. */
export interface IncidentFilter {
  status?: string;
  severity?: string;
  /** A PagerDuty service id linked to the incident. */
  service?: string;
  /** A customer id from the policy. */
  customer?: string;
  /** Declared at or after. */
  from?: Date;
  /** Declared before. */
  to?: Date;
  /** Words the title contains (case-insensitive). */
  q?: string;
}

/**
 * Which private incidents a reader may see: all (admins), or those whose
 * channel is in `privateChannels`. Public incidents are always visible.
 */
export interface VisibleScope {
  all: boolean;
  privateChannels: readonly string[];
}

/** One row of the list: the projection's state with its log position. */
export interface IncidentRow {
  state: IncidentState;
}

/** An event with its place in the log (`seq` grows with every append, across incidents). */
export interface LoggedEvent {
  seq: number;
  event: IncidentEvent;
}

/** The status-update history analytics needs: when each promise was made and for when. */
export type UpdateMark = StatusMark;

/** Read access to incidents for the web view and its API. */
export interface IncidentReads {
  /** Newest first, not-closed ones on top; `total` counts every match. */
  list(filter: IncidentFilter, scope: VisibleScope, page: { limit: number; offset: number }): Promise<{ rows: IncidentRow[]; total: number }>;
  /** Channels of private incidents (those a member check has to decide). */
  privateChannels(): Promise<string[]>;
  byNumber(n: number): Promise<IncidentState | undefined>;
  /** Events of one incident after `afterSeq`, in log order, at most `limit`. */
  eventsAfter(incidentId: string, afterSeq: number, limit: number): Promise<LoggedEvent[]>;
  /** Every visible incident declared in [from, to), for analytics. */
  states(filter: IncidentFilter, scope: VisibleScope): Promise<IncidentState[]>;
  /** Status updates, resolves, closes and reopens of the given incidents, in log order. */
  updateMarks(incidentIds: readonly string[]): Promise<UpdateMark[]>;
}

/** Who is in which Slack channel, and which workspace the bot is installed in. */
export interface SlackDirectory {
  /** `team_id` from `auth.test`. */
  botTeamId(): Promise<string>;
  /** Members of a channel (recently cached). Throws when Slack cannot say. */
  channelMembers(channelId: string): Promise<ReadonlySet<string>>;
}

/** A person as Sign in with Slack identified them. */
export interface SlackIdentity {
  userId: string;
  teamId: string;
  teamName?: string;
  name: string;
  email?: string;
}

/** The answer of a code exchange: who signed in and the ID token's checks. */
export type CodeExchange =
  | { ok: true; identity: SlackIdentity; nonce: string | undefined; audience: string; expiresAtMs: number }
  | { ok: false; error: string };

/** Sign in with Slack's server-side half. */
export interface SlackSignIn {
  /** Where the browser goes to sign in (Slack's `openid/connect/authorize`). */
  authorizeUrl: string;
  exchange(code: string, redirectUri: string): Promise<CodeExchange>;
}
