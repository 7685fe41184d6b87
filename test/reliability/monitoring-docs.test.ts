/**
 * Metrics fit Prometheus conventions and incident work: the default process
 * and Node.js metrics under their standard names, open incidents by severity,
 * the response-time histograms, and every metric the example Grafana
 * dashboard and alert rules in docs/ use exists in a real scrape.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { responseTimes } from '../../src/domain/response-times.ts';
import { incidentChannel, outboxDrained, startHarness, USERS, type Harness } from '../helpers/kranz-harness.ts';

let h: Harness;
let text = '';

beforeAll(async () => {
  h = await startHarness();
  const dana = h.slack.user(USERS.dana.id);
  await dana.slashCommand('CGENERAL', '/incident', 'declare SEV2 Search is slow for Acme');
  await incidentChannel(h, 1);
  await outboxDrained(h, 15_000);
  text = await (await fetch(`${h.kranz.url}/metrics`)).text();
});
afterAll(async () => h?.close());

/** Metric families in a scrape, with the series names each exposes (histograms: _bucket, _sum, _count). */
function families(scrape: string): Set<string> {
  const names = new Set<string>();
  for (const m of scrape.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name = '', type] = m;
    names.add(name);
    if (type === 'histogram' || type === 'summary') for (const s of ['_bucket', '_sum', '_count']) names.add(`${name}${s}`);
  }
  return names;
}

const PROMQL_WORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset', 'le', 'inf', 'nan']);

/** Metric names in a PromQL expression: identifiers that are not functions, keywords, labels or durations. */
export function metricsIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  const out: string[] = [];
  for (const m of stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*(\s*\()?/g)) {
    const word = m[0].replace(/\s*\($/, '');
    if (m[1] || PROMQL_WORDS.has(word.toLowerCase()) || /^\d/.test(word)) continue;
    out.push(word);
  }
  return out;
}

describe('GET /metrics', () => {
  it('has the default process and Node.js metrics under their standard names', () => {
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'process_start_time_seconds', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_heap_size_used_bytes', 'nodejs_version_info']) {
      expect(text).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
    }
    expect(text).not.toContain('kranz_process_');
  });

  it('counts open incidents by severity, with a zero series for each other severity', () => {
    expect(text).toMatch(/^kranz_incidents_open\{severity="SEV2"\} 1$/m);
    expect(text).toMatch(/^kranz_incidents_open\{severity="SEV1"\} 0$/m);
  });

  it('has the response-time histograms, labelled by severity, with the declared incident counted', () => {
    for (const span of ['acknowledge', 'mitigate', 'resolve', 'customer_contact']) {
      expect(text).toMatch(new RegExp(`^# TYPE kranz_incident_time_to_${span}_seconds histogram$`, 'm'));
    }
    // Declared by a person: acknowledged at once; not mitigated, resolved or contacted yet.
    expect(text).toMatch(/^kranz_incident_time_to_acknowledge_seconds_count\{severity="SEV2"\} 1$/m);
    expect(text).toMatch(/^kranz_incident_time_to_acknowledge_seconds_bucket\{le="60",severity="SEV2"\} 1$/m);
    expect(text).not.toMatch(/^kranz_incident_time_to_resolve_seconds_count\{severity="SEV2"\}/m);
  });

  it('measures each span from the moment the issue defines', () => {
    const t = responseTimes({
      impactStartedAt: '2026-03-10T12:50:00Z', detectedAt: '2026-03-10T13:00:00Z', declaredAt: '2026-03-10T13:02:00Z',
      acknowledgedAt: '2026-03-10T13:03:00Z', customerContactedAt: '2026-03-10T13:06:00Z', mitigatedAt: '2026-03-10T13:20:00Z', resolvedAt: '2026-03-10T13:28:00Z',
    });
    expect(t).toEqual({ acknowledge: 180, customerContact: 240, mitigate: 1800, resolve: 2280 });
    expect(responseTimes({ declaredAt: '2026-03-10T13:00:00Z' })).toEqual({});
  });
});

describe('docs/ dashboards and alert rules', () => {
  const alerts = parse(readFileSync(new URL('../../docs/prometheus-alerts.yml', import.meta.url), 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] };
  const dashboard = JSON.parse(readFileSync(new URL('../../docs/grafana-dashboard.json', import.meta.url), 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };
  const rules = alerts.groups.flatMap((g) => g.rules);
  const exprs: [string, string][] = [
    ...rules.map((r): [string, string] => [`alert ${r.alert}`, r.expr]),
    ...dashboard.panels.flatMap((p) => p.targets.map((t): [string, string] => [`panel "${p.title}"`, t.expr])),
  ];

  it('reads metric names out of PromQL', () => {
    expect(metricsIn('histogram_quantile(0.9, max by (le, severity) (increase(kranz_x_bucket{a="b"}[30d])))')).toEqual(['kranz_x_bucket']);
    expect(metricsIn('sum by (source) (rate(kranz_requests_rejected_total{reason="signature"}[10m])) > 0.01')).toEqual(['kranz_requests_rejected_total']);
  });

  it('alert on outbox age, dead letters, spool depth and rejected signatures', () => {
    const used = new Set(rules.flatMap((r) => metricsIn(r.expr)));
    for (const name of ['kranz_outbox_oldest_age_seconds', 'kranz_dead_letters', 'kranz_spool_depth', 'kranz_requests_rejected_total']) expect(used).toContain(name);
  });

  it('use only metrics a running Kranz serves', () => {
    const served = families(text);
    // `up` is Prometheus's own series for every target.
    served.add('up');
    const missing = exprs.flatMap(([where, expr]) => metricsIn(expr).filter((m) => !served.has(m)).map((m) => `${where}: ${m}`));
    expect(missing).toEqual([]);
    expect(exprs.length).toBeGreaterThan(10);
  });
});
