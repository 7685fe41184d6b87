/**
 * Atlassian Statuspage REST API v1 client (fetch). Every call authenticates
 * with `Authorization: OAuth <key>` and waits for its turn: Statuspage allows
 * about one request per second per key and answers 420 or 429 above that, so
 * calls with the same key are spaced `minIntervalMs` apart in this process
 * (the doctor and the outbox share the spacing). Answers come back as a
 * `SpResult`, never a throw, so a deliverer can tell "wait" from "give up".
 */
export type ComponentStatus = 'operational' | 'under_maintenance' | 'degraded_performance' | 'partial_outage' | 'major_outage';
export type IncidentStatus = 'investigating' | 'identified' | 'monitoring' | 'resolved';

export interface SpPage {
  id: string;
  name: string;
  url?: string;
}
export interface SpComponent {
  id: string;
  page_id: string;
  name: string;
  status: ComponentStatus;
}
export interface SpIncidentUpdate {
  id: string;
  status: IncidentStatus;
  body: string;
  created_at: string;
}
export interface SpIncident {
  id: string;
  page_id: string;
  name: string;
  status: IncidentStatus;
  shortlink?: string;
  metadata?: Record<string, unknown>;
  components: SpComponent[];
  incident_updates: SpIncidentUpdate[];
  created_at: string;
}

/** What a create or update sends as `incident[...]`. */
export interface IncidentWrite {
  name?: string;
  status?: IncidentStatus;
  body?: string;
  /** Component id → status; Statuspage records the change on the update. */
  components?: Record<string, ComponentStatus>;
  component_ids?: string[];
  deliver_notifications?: boolean;
  metadata?: Record<string, unknown>;
}

export type SpError =
  | { kind: 'rate_limited'; status: number; retryAfterMs?: number }
  | { kind: 'server'; status: number; message: string }
  | { kind: 'rejected'; status: number; message: string }
  | { kind: 'network'; message: string };

export type SpResult<T> = { ok: true; value: T } | { ok: false; error: SpError };

export function describeSpError(e: SpError): string {
  switch (e.kind) {
    case 'rate_limited': return `Statuspage rate limit (HTTP ${e.status})`;
    case 'server': return `Statuspage error (HTTP ${e.status}): ${e.message}`;
    case 'rejected':
      return isKeyRefused(e)
        ? `Statuspage refused the API key (HTTP ${e.status}): ${e.message}; retrying until STATUSPAGE_API_KEY is fixed`
        : `Statuspage refused the request (HTTP ${e.status}): ${e.message}`;
    case 'network': return `Statuspage unreachable: ${e.message}`;
  }
}

/** 401/403: the key is wrong, revoked or lacks the page; a setting being fixed, not a refusal of this publication. */
export function isKeyRefused(e: SpError): boolean {
  return e.kind === 'rejected' && (e.status === 401 || e.status === 403);
}

/**
 * 420/429, 5xx and network trouble pass, and so does a refused key (as the
 * email side retries SMTP 530/535): dead-lettering would strand every row
 * behind it while the key is fixed. Other 4xx will not change on a retry.
 */
export function isRetryable(e: SpError): boolean {
  return e.kind !== 'rejected' || isKeyRefused(e);
}

export interface StatusPageClientOptions {
  apiKey: string;
  /** API base without a trailing `/`, e.g. `https://api.statuspage.io/v1`. */
  apiUrl: string;
  /** Spacing between calls with this key. Default 1000 ms (Statuspage's limit). */
  minIntervalMs?: number;
  timeoutMs?: number;
}

/**
 * Per key (and base URL), shared by every client in the process: when the
 * last call went out, and the queue of calls waiting for their turn.
 */
const slots = new Map<string, { lastAt: number; restUntil: number; queue: Promise<void> }>();

export class StatusPageClient {
  readonly apiUrl: string;
  private readonly minIntervalMs: number;
  private readonly timeoutMs: number;
  private readonly slotKey: string;

  constructor(private readonly o: StatusPageClientOptions) {
    this.apiUrl = o.apiUrl.replace(/\/+$/, '');
    this.minIntervalMs = o.minIntervalMs ?? 1000;
    this.timeoutMs = o.timeoutMs ?? 15_000;
    this.slotKey = `${this.apiUrl} ${o.apiKey}`;
  }

  getPage(pageId: string): Promise<SpResult<SpPage>> {
    return this.call('GET', `/pages/${enc(pageId)}`);
  }

  listComponents(pageId: string): Promise<SpResult<SpComponent[]>> {
    return this.call('GET', `/pages/${enc(pageId)}/components`);
  }

  getIncident(pageId: string, incidentId: string): Promise<SpResult<SpIncident>> {
    return this.call('GET', `/pages/${enc(pageId)}/incidents/${enc(incidentId)}`);
  }

  listUnresolvedIncidents(pageId: string): Promise<SpResult<SpIncident[]>> {
    return this.call('GET', `/pages/${enc(pageId)}/incidents/unresolved`);
  }

  createIncident(pageId: string, incident: IncidentWrite & { name: string }): Promise<SpResult<SpIncident>> {
    return this.call('POST', `/pages/${enc(pageId)}/incidents`, { incident });
  }

  /** A `body` (or a status change) becomes a new incident update on the page. */
  updateIncident(pageId: string, incidentId: string, incident: IncidentWrite): Promise<SpResult<SpIncident>> {
    return this.call('PATCH', `/pages/${enc(pageId)}/incidents/${enc(incidentId)}`, { incident });
  }

  /**
   * Waits until `minIntervalMs` after the previous call with this key really
   * went out (measured when it went, so a busy event loop cannot bunch calls).
   */
  private turn(): Promise<void> {
    const slot = this.slot();
    const mine = slot.queue.then(async () => {
      const wait = Math.max(slot.lastAt + this.minIntervalMs, slot.restUntil) - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      slot.lastAt = Date.now();
    });
    slot.queue = mine;
    return mine;
  }

  private slot(): { lastAt: number; restUntil: number; queue: Promise<void> } {
    let s = slots.get(this.slotKey);
    if (!s) {
      s = { lastAt: 0, restUntil: 0, queue: Promise.resolve() };
      slots.set(this.slotKey, s);
    }
    return s;
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<SpResult<T>> {
    await this.turn();
    let res: Response;
    try {
      res = await fetch(`${this.apiUrl}${path}`, {
        method,
        headers: { authorization: `OAuth ${this.o.apiKey}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause?.code;
      return { ok: false, error: { kind: 'network', message: cause ?? (e instanceof Error ? e.message : String(e)) } };
    }
    const text = await res.text().catch(() => '');
    if (res.ok) {
      try {
        return { ok: true, value: JSON.parse(text) as T };
      } catch {
        return { ok: false, error: { kind: 'server', status: res.status, message: 'the answer was not JSON' } };
      }
    }
    if (res.status === 420 || res.status === 429) {
      const after = Number(res.headers.get('retry-after'));
      // Give the key a rest before anyone in this process tries again.
      const waitMs = Number.isFinite(after) && after > 0 ? after * 1000 : undefined;
      const slot = this.slot();
      slot.restUntil = Math.max(slot.restUntil, Date.now() + (waitMs ?? this.minIntervalMs));
      return { ok: false, error: { kind: 'rate_limited', status: res.status, ...(waitMs ? { retryAfterMs: waitMs } : {}) } };
    }
    const message = errorMessage(text) ?? res.statusText;
    return { ok: false, error: res.status >= 500 ? { kind: 'server', status: res.status, message } : { kind: 'rejected', status: res.status, message } };
  }
}

const enc = encodeURIComponent;

/** Statuspage answers `{"error": "..."}` or `{"error": ["...", ...]}`. */
function errorMessage(text: string): string | undefined {
  try {
    const e = (JSON.parse(text) as { error?: unknown }).error;
    if (typeof e === 'string') return e;
    if (Array.isArray(e)) return e.map(String).join('; ');
  } catch {
    /* not JSON */
  }
  return text.trim().slice(0, 200) || undefined;
}
