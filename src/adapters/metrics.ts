/**
 * Prometheus metrics (prom-client), one registry per Kranz so several can run
 * in one process (tests, the demo). Database-backed gauges are read at scrape
 * time, so they are true across replicas, not just for this process.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { KeyTimes } from '../domain/incident.ts';
import { responseTimes, type ResponseTimes } from '../domain/response-times.ts';

export interface MetricsSources {
  outbox(): Promise<{ pending: number; dead: number; oldestPendingAgeSeconds: number }>;
  spoolDepth(): number;
  /** Inbound requests marked failed (see `kranz inbound list`). */
  inboundFailed?(): Promise<number>;
  /** Open incidents per severity and every incident's key times, read from the database at scrape time. */
  incidents?(): Promise<{ open: ReadonlyMap<string, number>; times: readonly { severity: string; times: KeyTimes }[] }>;
  /** Severities the policy knows, so each has a series (0 when none is open). */
  severities?: readonly string[];
}

/** Incident response-time buckets: 1 minute to 1 day. */
const RESPONSE_BUCKETS = [60, 120, 300, 600, 900, 1_800, 3_600, 7_200, 14_400, 28_800, 86_400];

export interface Metrics {
  registry: Registry;
  eventsIngested: Counter<'source' | 'result'>;
  ackLatency: Histogram<'kind'>;
  apiErrors: Counter<'api' | 'error'>;
  remindersSent: Counter<'reminder'>;
  pagerDutyEvents: Counter<'outcome' | 'type'>;
  delivered: Counter<'target'>;
  /** Requests refused before they were stored (bad signature, stale or future timestamp, too large). */
  requestsRejected: Counter<'source' | 'reason'>;
  /** Commands refused by the permissions policy, by action (reason: denied, or unverified when Slack could not say). */
  permissionDenied: Counter<'action' | 'reason'>;
  render(): Promise<string>;
}

export function createMetrics(src: MetricsSources, opts: { defaults?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (opts.defaults !== false) collectDefaultMetrics({ register: registry }); // standard names (process_*, nodejs_*): stock dashboards find them
  const eventsIngested = new Counter({ name: 'kranz_events_ingested_total', help: 'Inbound requests durably stored, by source and result (stored, spooled, duplicate).', labelNames: ['source', 'result'] as const, registers: [registry] });
  const ackLatency = new Histogram({ name: 'kranz_ack_latency_seconds', help: 'Time from receiving a Slack request to acknowledging it.', labelNames: ['kind'] as const, buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [registry] });
  const apiErrors = new Counter({ name: 'kranz_api_errors_total', help: 'Failed Slack and PagerDuty API calls made by the outbox.', labelNames: ['api', 'error'] as const, registers: [registry] });
  const remindersSent = new Counter({ name: 'kranz_reminders_sent_total', help: 'Reminders sent, by kind.', labelNames: ['reminder'] as const, registers: [registry] });
  const pagerDutyEvents = new Counter({ name: 'kranz_pagerduty_events_total', help: 'PagerDuty webhook events by outcome (declared, recorded, duplicate, ignored, unparseable).', labelNames: ['outcome', 'type'] as const, registers: [registry] });
  const delivered = new Counter({ name: 'kranz_outbox_delivered_total', help: 'Outbox rows delivered, by target.', labelNames: ['target'] as const, registers: [registry] });
  const requestsRejected = new Counter({ name: 'kranz_requests_rejected_total', help: 'Inbound requests refused before they were stored, by source (slack, pagerduty) and reason (signature, stale_timestamp, future_timestamp, too_large, ...). A steady rate of signature rejections usually means a wrong SLACK_SIGNING_SECRET or PAGERDUTY_WEBHOOK_SECRETS.', labelNames: ['source', 'reason'] as const, registers: [registry] });
  const permissionDenied = new Counter({ name: 'kranz_permission_denied_total', help: 'Commands refused by the permissions policy, by action (resolve, page, ...) and reason (denied; unverified: Slack could not say whether the person is in the channel or user group).', labelNames: ['action', 'reason'] as const, registers: [registry] });
  const depth = new Gauge({ name: 'kranz_outbox_depth', help: 'Outbox rows waiting to be delivered (all replicas).', registers: [registry] });
  const oldest = new Gauge({ name: 'kranz_outbox_oldest_age_seconds', help: 'Age of the oldest undelivered outbox row.', registers: [registry] });
  const dead = new Gauge({ name: 'kranz_dead_letters', help: 'Outbox rows that failed permanently (see kranz doctor).', registers: [registry] });
  const inboundFailed = new Gauge({ name: 'kranz_inbound_failed', help: 'Stored inbound requests that could not be applied and are no longer retried (see kranz inbound list).', registers: [registry] });
  const spool = new Gauge({ name: 'kranz_spool_depth', help: 'Inbound requests spooled to local disk while the database was unavailable.', registers: [registry], collect() { this.set(src.spoolDepth()); } });
  void spool;
  // Read from the database, like the outbox gauges: the same on every replica (aggregate with max()).
  const incidentsOpen = new Gauge({ name: 'kranz_incidents_open', help: 'Incidents not closed yet, by severity (all replicas).', labelNames: ['severity'] as const, registers: [registry] });
  const spans: [keyof ResponseTimes, Histogram<'severity'>][] = ([
    ['acknowledge', 'kranz_incident_time_to_acknowledge_seconds', 'From detection (the page, or the declaration) to the first acknowledgement or commander.'],
    ['mitigate', 'kranz_incident_time_to_mitigate_seconds', 'From the start of impact to monitoring (or resolved).'],
    ['resolve', 'kranz_incident_time_to_resolve_seconds', 'From the start of impact to resolved.'],
    ['customerContact', 'kranz_incident_time_to_customer_contact_seconds', 'From declaration to the first call to the customer\'s main contact.'],
  ] as const).map(([key, name, help]) => [key, new Histogram({ name, help: `${help} Every incident in the database (all replicas).`, labelNames: ['severity'] as const, buckets: RESPONSE_BUCKETS, registers: [registry] })]);
  return {
    registry, eventsIngested, ackLatency, apiErrors, remindersSent, pagerDutyEvents, delivered, requestsRejected, permissionDenied,
    async render() {
      try {
        const s = await src.outbox();
        depth.set(s.pending);
        oldest.set(s.oldestPendingAgeSeconds);
        dead.set(s.dead);
        if (src.inboundFailed) inboundFailed.set(await src.inboundFailed());
        if (src.incidents) {
          const { open, times } = await src.incidents();
          incidentsOpen.reset();
          for (const sev of new Set([...(src.severities ?? []), ...open.keys()])) incidentsOpen.set({ severity: sev }, open.get(sev) ?? 0);
          for (const [, h] of spans) h.reset();
          for (const row of times) {
            const t = responseTimes(row.times);
            for (const [key, h] of spans) {
              const v = t[key];
              if (v !== undefined) h.observe({ severity: row.severity }, v);
            }
          }
        }
      } catch {
        // The database is down: the gauges keep their last values; the spool gauge tells the story.
      }
      return registry.metrics();
    },
  };
}
