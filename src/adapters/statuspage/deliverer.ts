/**
 * The `statuspage` outbox target: publishes customer-facing updates on an
 * Atlassian Statuspage page. Rows of one Kranz incident share an order key, so
 * the page's incident is created before any update is added to it, and
 * updates land in the order they were posted. An update or resolve goes to
 * the page incident its row names (known when it was queued); only a row
 * queued before its create was delivered reads the incident's record.
 *
 * Retries never publish twice: a create carries its outbox key in the page
 * incident's metadata and a retry first looks for it among the unresolved
 * incidents; a retried update first checks whether the page incident already
 * shows an update with the same status and text since the row was written.
 * 420/429 wait (Retry-After when given, else a few seconds), 5xx, network
 * trouble and a refused key (401/403, while it is being fixed: reported
 * through `onKeyRefused`) retry with the usual backoff, any other 4xx is final: the row is dead-lettered and the
 * reason is posted in the incident channel through `onRefused`.
 */
import type { Deliverer, DeliveryOutcome, FollowUp } from '../../app/deliver-outbox.ts';
import type { ClaimedOutboxRow } from '../../app/ports.ts';
import { decodePayload } from '../../app/outbox-rows.ts';
import type { StatusPagePublication } from '../../domain/effects.ts';
import { statusPageOpSchema } from './outbox-ops.ts';
import { describeSpError, isKeyRefused, isRetryable, type SpError, type SpIncident, type StatusPageClient } from './client.ts';

/** What the deliverer learnt, for the incident's timeline. */
export interface Published {
  action: StatusPagePublication['action'];
  pageId: string;
  pageIncidentId: string;
  url: string;
  status: StatusPagePublication['status'];
  updateEventId?: string;
}

export interface StatusPageDelivererDeps {
  client: StatusPageClient;
  /** The page incident an earlier row of this Kranz incident created, if recorded. */
  pageIncidentOf(incidentId: string): Promise<string | undefined>;
  /** Follow-ups that record the publication with the delivery (timeline event with the link). */
  recorded(row: ClaimedOutboxRow, p: Published): FollowUp[];
  /** Tells the incident channel a publication was refused for good (the row is dead-lettered next). */
  onRefused(row: ClaimedOutboxRow, reason: string): Promise<void>;
  /** Statuspage refused the API key (401/403): the row retries; this says so where operators look (the log). */
  onKeyRefused?(row: ClaimedOutboxRow, error: string): void;
  /** Wait after a 420/429 without Retry-After. Default {@link STATUSPAGE_RATE_LIMIT_WAIT_MS}; tests shorten it. */
  rateLimitWaitMs?: number;
}

/**
 * How long a publication waits after a 420/429 that did not say how long
 * (Statuspage's own answers carry Retry-After, which is honoured as given).
 * Statuspage counts calls per key over a rolling minute; a key shared with
 * another tool can stay refused for tens of seconds, so a refused row waits
 * 30 s rather than knocking every few seconds and keeping the window full.
 */
export const STATUSPAGE_RATE_LIMIT_WAIT_MS = 30_000;

export class StatusPageDeliverer implements Deliverer {
  constructor(private readonly d: StatusPageDelivererDeps) {}

  async deliver(row: ClaimedOutboxRow): Promise<DeliveryOutcome> {
    const decoded = decodePayload(statusPageOpSchema, row);
    if (!decoded.ok) return { ok: false, retryable: false, error: decoded.error };
    const p = decoded.value;
    if (!row.incidentId) return { ok: false, retryable: false, error: 'a status page publication needs its incident' };
    return p.action === 'create' ? this.create(row, p) : this.update(row, p);
  }

  private async create(row: ClaimedOutboxRow, p: StatusPagePublication): Promise<DeliveryOutcome> {
    const c = this.d.client;
    if (row.attempts > 1) {
      // An earlier attempt may have created it and died before recording it.
      const open = await c.listUnresolvedIncidents(p.pageId);
      if (!open.ok) return this.fail(row, open.error);
      const mine = open.value.find((i) => (i.metadata?.['kranz'] as { outbox_key?: unknown } | undefined)?.outbox_key === row.idempotencyKey);
      if (mine) return this.done(row, p, mine);
    }
    const created = await c.createIncident(p.pageId, {
      name: p.name ?? 'Service disruption',
      status: p.status,
      body: p.body,
      components: p.components,
      component_ids: Object.keys(p.components),
      deliver_notifications: true,
      metadata: { kranz: { outbox_key: row.idempotencyKey, incident_id: row.incidentId } },
    });
    return created.ok ? this.done(row, p, created.value) : this.fail(row, created.error);
  }

  private async update(row: ClaimedOutboxRow, p: StatusPagePublication): Promise<DeliveryOutcome> {
    const c = this.d.client;
    // The row names its page incident when it was known as queued: the incident's record may since point at another.
    const pageIncidentId = p.pageIncidentId ?? await this.d.pageIncidentOf(row.incidentId!);
    // The create is ahead of this row in the same order key; until it is recorded there is nothing to update.
    if (!pageIncidentId) return { ok: false, retryable: true, error: 'the status page incident is not created yet', waiting: true };
    if (row.attempts > 1) {
      const current = await c.getIncident(p.pageId, pageIncidentId);
      if (!current.ok) return this.fail(row, current.error);
      if (newestIs(current.value, p)) return this.done(row, p, current.value);
    }
    const updated = await c.updateIncident(p.pageId, pageIncidentId, { status: p.status, body: p.body, components: p.components, deliver_notifications: true });
    return updated.ok ? this.done(row, p, updated.value) : this.fail(row, updated.error);
  }

  private done(row: ClaimedOutboxRow, p: StatusPagePublication, i: SpIncident): DeliveryOutcome {
    const published: Published = {
      action: p.action, pageId: p.pageId, pageIncidentId: i.id, url: i.shortlink ?? '', status: p.status,
      ...(p.updateEventId ? { updateEventId: p.updateEventId } : {}),
    };
    return { ok: true, result: { pageIncidentId: i.id, url: i.shortlink ?? null, updates: i.incident_updates.length }, followUps: this.d.recorded(row, published) };
  }

  private async fail(row: ClaimedOutboxRow, e: SpError): Promise<DeliveryOutcome> {
    const error = describeSpError(e);
    if (e.kind === 'rate_limited') return { ok: false, retryable: true, error, retryAfterMs: e.retryAfterMs ?? this.d.rateLimitWaitMs ?? STATUSPAGE_RATE_LIMIT_WAIT_MS };
    if (isKeyRefused(e)) {
      this.d.onKeyRefused?.(row, error);
      return { ok: false, retryable: true, error };
    }
    if (isRetryable(e)) return { ok: false, retryable: true, error };
    await this.d.onRefused(row, error);
    return { ok: false, retryable: false, error };
  }
}

/** The page incident's newest update is this one (an earlier attempt got through). */
function newestIs(i: SpIncident, p: StatusPagePublication): boolean {
  const newest = [...i.incident_updates].sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at))[0];
  return newest !== undefined && newest.status === p.status && newest.body === p.body;
}
