/**
 * Key-time corrections through the real use cases on a real Postgres: each
 * records the value it replaces as the report had it (the service-restored
 * and commander-named times included, two corrections applied together as
 * well), the projection keeps the report's key times across its round trip
 * through the database, and the report drafted at close measures from the
 * corrected restoration and shows what each correction replaced. An incident
 * stored before the projection kept them still takes corrections.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCommand } from '../../src/app/apply-command.ts';
import { closeIncident } from '../../src/app/close-incident.ts';
import { declareIncident } from '../../src/app/declare-incident.ts';
import type { Command } from '../../src/domain/commands.ts';
import type { IncidentEvent, KeyTime } from '../../src/domain/events.ts';
import type { IncidentId } from '../../src/domain/ids.ts';
import { project } from '../../src/domain/incident.ts';
import type { Policy } from '../../src/domain/policy.ts';
import { draftCustomerReport, draftReport, reportFigures } from '../../src/domain/report/index.ts';
import { appHarness, personMeta, type AppHarness } from '../helpers/app.ts';
import { T0, testPolicy } from '../helpers/domain.ts';

const MIN = 60_000;
/** Acme: 99.9 % over 30 days (a 43.2-minute budget), 10 % credit below it. */
const POLICY: Policy = { ...testPolicy, customerReports: { includeServiceCredit: true, showResponderNames: false } };
const iso = (min: number): string => new Date(T0.getTime() + min * MIN).toISOString();
const correct = (key: KeyTime, min: number, reason?: string): Command => ({ type: 'correct_time', key, at: iso(min), ...(reason ? { reason } : {}) });

let h: AppHarness;
beforeAll(async () => {
  h = await appHarness(POLICY);
});
afterAll(async () => h?.close());

let n = 0;
const meta = () => personMeta(`kt-${++n}`, 'UDANA');
const events = (id: IncidentId): Promise<IncidentEvent[]> => h.deps.store.transaction((u) => u.events.loadEvents(id));
const corrections = (log: IncidentEvent[], key: KeyTime) => log.flatMap((e) => (e.type === 'time_corrected' && e.data.key === key ? [e.data] : []));

/** Declared by Dana (commander) at 13:00 with Acme attached, Acme called at 13:07, resolved at 14:00. */
async function resolvedIncident(title: string): Promise<IncidentId> {
  h.clock.set(T0);
  const d = await declareIncident(h.deps, { title, severity: 'SEV1', customers: ['acme'] }, meta());
  if (!d.ok) throw new Error(`declare: ${JSON.stringify(d)}`);
  const at = async (min: number, c: Command) => {
    h.clock.set(new Date(T0.getTime() + min * MIN));
    const o = await applyCommand(h.deps, { id: d.incidentId }, c, meta());
    if (!o.ok) throw new Error(`${c.type}: ${JSON.stringify(o.error)}`);
  };
  await at(7, { type: 'record_customer_contact', customer: 'acme', details: 'called Dana' });
  await at(60, { type: 'resolve' });
  return d.incidentId;
}

describe('key-time corrections on real Postgres', () => {
  it('record what they replace, and the report at close measures from the corrected restoration', async () => {
    const id = await resolvedIncident('Checkout fails');
    expect(reportFigures(await events(id), POLICY).impactMinutes).toBe(60);
    h.clock.set(new Date(T0.getTime() + 70 * MIN));
    expect((await applyCommand(h.deps, { id }, correct('restored', 40, 'error graphs'), meta())).ok).toBe(true);
    h.clock.set(new Date(T0.getTime() + 80 * MIN));
    expect((await applyCommand(h.deps, { id }, correct('restored', 50), meta())).ok).toBe(true);
    expect(corrections(await events(id), 'restored')).toEqual([
      { key: 'restored', at: iso(40), previous: iso(60), reason: 'error graphs' },
      { key: 'restored', at: iso(50), previous: iso(40) },
    ]);

    const closed = await closeIncident(h.deps, { id }, meta());
    if (!closed.ok) throw new Error(JSON.stringify(closed.error));
    const md = closed.markdown ?? '';
    expect(md).toContain('**50m** from impact start to service restored');
    expect(md).toContain('- **SLA:** 50 minutes of impact.');
    expect(md).toContain('- **Customer first contacted:** 13:07, 7m after declaration');
    expect(md).toMatch(/Time corrected: service restored 13:40, was 14:00 \("error graphs"\) — /);
    expect(md).toMatch(/Time corrected: service restored 13:50, was 13:40 — /);
    const log = await events(id);
    const customer = draftCustomerReport(log, POLICY, 'acme');
    expect(customer?.summary.window).toBe('13:00 – 13:50 (50 minutes)');
    expect(customer?.serviceCredit).toContain('service credit of 10 %');
  });

  it('keeps the key times in the stored projection, so two corrections applied together chain their values', async () => {
    const id = await resolvedIncident('Search empty');
    h.clock.set(new Date(T0.getTime() + 70 * MIN));
    // Sent together: the second joins the first's batch or waits for it; either way it sees the first.
    const outcomes = await Promise.all([applyCommand(h.deps, { id }, correct('commander_named', 2), meta()), applyCommand(h.deps, { id }, correct('commander_named', 3), meta())]);
    expect(outcomes.every((o) => o.ok)).toBe(true);
    const [a, b] = corrections(await events(id), 'commander_named');
    expect(a?.previous).toBe(iso(0)); // named at the declaration
    expect(b?.previous).toBe(a?.at);
    const stored = await h.deps.store.reads.findIncident({ id });
    expect(stored?.keyTimeLog).toEqual(project(await events(id))?.keyTimeLog);
  });

  it('takes a correction on an incident stored before its projection kept the key times, and still drafts the report', async () => {
    const id = await resolvedIncident('Login slow');
    await h.pool.query(`update incidents set state = state - 'keyTimeLog' where id = $1::uuid`, [id]);
    h.clock.set(new Date(T0.getTime() + 70 * MIN));
    expect((await applyCommand(h.deps, { id }, correct('restored', 40), meta())).ok).toBe(true);
    expect((await applyCommand(h.deps, { id }, correct('resolved', 45), meta())).ok).toBe(true);
    const log = await events(id);
    // Its state never knew the restoration; the resolution it kept.
    expect(corrections(log, 'restored')).toEqual([{ key: 'restored', at: iso(40) }]);
    expect(corrections(log, 'resolved')).toEqual([{ key: 'resolved', at: iso(45), previous: iso(60) }]);
    expect((await h.deps.store.reads.findIncident({ id }))?.keyTimeLog).toBeUndefined();
    expect(reportFigures(log, POLICY).impactMinutes).toBe(40);
    expect(draftReport(log, POLICY)).toMatch(/Time corrected: service restored 13:40 — /);
  });
});
