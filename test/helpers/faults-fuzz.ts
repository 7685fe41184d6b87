/**
 * Seeded generators for the fuzz test: slash command texts and PagerDuty
 * webhook bodies. Everything comes from one PRNG, so a failing run is
 * reproduced with `FAULTS_SEED=<seed> npm run test:faults`.
 */
import { buildV2WebhookBody, buildV3WebhookBody, type WebhookEventSpec } from '../../src/sandbox/pagerduty/webhook-bodies.ts';

/** mulberry32: small, fast, and the same sequence on every platform. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Gen {
  constructor(readonly random: () => number) {}

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.random() * (hi - lo + 1));
  }

  pick<T>(xs: readonly T[]): T {
    const x = xs[Math.floor(this.random() * xs.length)];
    if (x === undefined) throw new Error('pick from an empty list');
    return x;
  }

  chance(p: number): boolean {
    return this.random() < p;
  }
}

const SUBCOMMANDS = [
  'declare', 'note', 'sev', 'severity', 'role', 'update', 'resolve', 'close', 'reopen', 'status', 'list', 'page', 'snooze',
  'help', 'root-cause', 'action', 'customer-contacted', 'report', 'timeline', 'DECLARE', 'Note', '',
];
const WORDS = [
  'SEV1', 'sev2', 'SEV3', 'SEV4', 'SEV9', 'sev0', 'sev', 'prevent', 'fail-better', 'commander', 'customer-liaison', 'scribe',
  'checkout', 'is', 'down', '30m', '2h', '0m', '-5m', '99999999h', 'investigating', 'identified', 'monitoring', 'resolved',
  'PSVCCHK', 'PSVC404', 'null', 'undefined', 'NaN', '{}', '[]', 'true', '0', '-1', '1e309', 'DROP TABLE incidents;--',
];
const UNICODE = [
  '🚨', '🔥🔥', 'ß', 'Straße', 'العربية', 'עברית', '中文字符', '日本語', '한국어', 'e\u0301', 'Z\u0351\u0352\u0353', '\u200b', '\u200d',
  '\u202e', '\ufeff', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', '\u{1f9d1}\u200d\u{1f680}', '\u2028', 'ﷺ', '\t', '\n', '\r\n',
];
const MENTIONS = [
  '<@UDANA>', '<@UEVE|eve>', '<@U404|ghost>', '<#CGENERAL|general>', '<#C404>', '<!channel>', '<!here>', '<!subteam^S123|@ops>',
  '<@', '<#', '<!', '<https://example.com|link>', '@dana', '#general', '<@UDANA|dana> <@UEVE|eve>',
];
const QUOTES = ['"', "'", '`', '```', '\\', '\\"', '%', '%00', '&', '=', '+', '&amp;', '<', '>', '*bold*', '_i_', '~s~', '""""', "''"];

/** A slash command text: words, unicode, mentions, quotes, empty, very long. */
export function commandText(g: Gen): string {
  const r = g.random();
  if (r < 0.05) return '';
  if (r < 0.08) return g.pick([' ', '   ', '\n', '\t', '\u200b']);
  if (r < 0.12) {
    // Very long: from Slack's own limit (4000) to far beyond it, under the 1 MB body limit.
    const unit = g.pick(['a', 'note ', '🚨', 'ß', 'x'.repeat(50) + ' ', '<@UDANA> ']);
    return `${g.pick(SUBCOMMANDS)} ${unit.repeat(g.int(1_000, 60_000))}`.slice(0, 300_000);
  }
  const parts: string[] = [];
  if (g.chance(0.7)) parts.push(g.pick(SUBCOMMANDS));
  const n = g.int(0, 12);
  for (let i = 0; i < n; i++) {
    const k = g.random();
    parts.push(k < 0.4 ? g.pick(WORDS) : k < 0.6 ? g.pick(UNICODE) : k < 0.8 ? g.pick(MENTIONS) : g.pick(QUOTES));
  }
  return parts.join(g.pick([' ', ' ', '  ', '\n', '']));
}

/** A random JSON value of bounded depth. */
export function jsonValue(g: Gen, depth = 0): unknown {
  const r = g.random();
  if (depth > 4 || r < 0.3) return g.pick<unknown>([null, true, false, 0, -1, 1e308, 3.14, '', 'x', '🚨', '2026-03-02T13:00:00Z', 'incident.triggered', '\u0000', 'P1']);
  if (r < 0.45) return g.pick(WORDS) + g.pick(UNICODE);
  if (r < 0.7) return Array.from({ length: g.int(0, 5) }, () => jsonValue(g, depth + 1));
  const keys = ['event', 'id', 'event_type', 'data', 'incident', 'messages', 'agent', 'occurred_at', 'title', 'service', 'number', 'priority', 'log_entries', g.pick(WORDS)];
  return Object.fromEntries(Array.from({ length: g.int(0, 6) }, () => [g.pick(keys), jsonValue(g, depth + 1)]));
}

const EVENT_TYPES = [
  'incident.triggered', 'incident.acknowledged', 'incident.annotated', 'incident.resolved', 'incident.reopened', 'incident.escalated',
  'incident.priority_updated', 'incident.responder.added', 'incident.responder.replied', 'incident.status_update_published',
  'incident.conference_bridge.updated', 'incident.unacknowledged', 'incident.delegated', 'incident.reassigned', 'service.created', 'pagey.ping', '',
];

function bigString(g: Gen): string {
  return g.pick(['A', '🚨', 'ß', '\u0000', '"', '\\']).repeat(g.int(10_000, 120_000));
}

function spec(g: Gen, big = true): WebhookEventSpec {
  // A few fields of a few events are huge; a body stays well under the 1 MB limit but for the over-limit kind.
  const weird = (): string => (big && g.chance(0.03) ? bigString(g) : g.chance(0.2) ? g.pick(UNICODE) + g.pick(QUOTES) : g.pick(WORDS));
  const pdId = g.chance(0.7) ? `PFZ${g.int(1, 12)}` : weird();
  return {
    eventType: g.pick(EVENT_TYPES),
    eventId: g.chance(0.9) ? `01FZ${g.int(0, 1e9)}` : weird(),
    incident: { id: pdId, number: g.int(-5, 1e6), title: weird(), serviceId: g.chance(0.6) ? 'PSVCCHK' : weird(), serviceName: weird(), urgency: g.pick(['high', 'low']) },
    note: { content: weird() },
    agent: g.chance(0.1) ? null : { id: 'PAGENT1', summary: weird() },
    ...(g.chance(0.2) ? { occurredAt: g.pick(['0', 'not a date', '+275760-09-13T00:00:00Z', '1970-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '-271821-04-20T00:00:00Z']) } : {}),
  };
}

/** Sets `path` in a JSON object to `value` (making objects on the way). */
function setPath(o: Record<string, unknown>, path: string[], value: unknown): void {
  let cur: Record<string, unknown> = o;
  for (const [i, k] of path.entries()) {
    if (i === path.length - 1) cur[k] = value;
    else {
      const next = cur[k];
      if (typeof next !== 'object' || next === null || Array.isArray(next)) cur[k] = {};
      cur = cur[k] as Record<string, unknown>;
    }
  }
}

const KNOWN_FIELDS = [
  ['event'], ['event', 'id'], ['event', 'event_type'], ['event', 'occurred_at'], ['event', 'data'], ['event', 'agent'], ['event', 'data', 'id'],
  ['event', 'data', 'incident'], ['event', 'data', 'incident', 'id'], ['event', 'data', 'number'], ['event', 'data', 'title'], ['event', 'data', 'service'],
  ['event', 'data', 'service', 'id'], ['event', 'data', 'priority'], ['event', 'data', 'content'], ['event', 'data', 'assignees'], ['messages'],
];

/** A webhook body (raw text, signed as is by the caller) and what it is. */
export function webhookBody(g: Gen): { kind: string; body: string } {
  const r = g.random();
  if (r < 0.25) return { kind: 'valid-shape', body: JSON.stringify(buildV3WebhookBody(spec(g))) };
  if (r < 0.4) return { kind: 'random-json', body: JSON.stringify(jsonValue(g)) };
  if (r < 0.55) {
    const full = JSON.stringify(buildV3WebhookBody(spec(g)));
    return { kind: 'truncated', body: full.slice(0, g.int(0, full.length - 1)) };
  }
  if (r < 0.75) {
    const body = buildV3WebhookBody(spec(g)) as unknown as Record<string, unknown>;
    for (let i = g.int(1, 3); i > 0; i--) setPath(body, g.pick(KNOWN_FIELDS), g.chance(0.15) ? bigString(g) : jsonValue(g, 3));
    return { kind: 'wrong-types', body: JSON.stringify(body) };
  }
  if (r < 0.82) {
    const msgs = Array.from({ length: g.int(1, 10) }, () => ({ event: g.pick(['incident.trigger', 'incident.acknowledge', 'incident.annotate', 'incident.resolve'] as const), spec: spec(g, false) }));
    return { kind: 'legacy-v2', body: JSON.stringify(buildV2WebhookBody(msgs)) };
  }
  if (r < 0.87) return { kind: 'huge', body: JSON.stringify({ event: { id: `01FZ${g.int(0, 1e9)}`, event_type: 'incident.annotated', occurred_at: new Date().toISOString(), data: { incident: { id: 'PFZ1' }, content: bigString(g) } } }) };
  if (r < 0.9) return { kind: 'raw-bytes', body: `{"event":{"id":"01FZ\u0000${g.int(0, 1e9)}","event_type":"incident.triggered"}}\u0000\u0001\u00ff` };
  if (r < 0.93) return { kind: 'deep', body: `{"event":{"id":"01FZ${g.int(0, 1e9)}","data":${'['.repeat(g.int(100, 20_000))}` + (g.chance(0.5) ? ']'.repeat(5) : '') };
  if (r < 0.95) return { kind: 'over-limit', body: JSON.stringify({ event: { id: 'x', data: 'y'.repeat(1_100_000) } }) };
  return { kind: 'not-json', body: g.pick(['', ' ', 'null', '[]', '{}', '"', 'event=1&id=2', '<xml/>', '\uFFFD\uFFFD', '{"event":']) };
}
