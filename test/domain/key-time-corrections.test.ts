/**
 * What a key-time correction records as the value it replaces (its "was"):
 * the time as the report has it just before, for every key time, those the
 * report alone derives (commander named, service restored) included; a second
 * correction's "was" is the first's value. Played through the real
 * `transition` and checked against the real report.
 */
import { describe, expect, it } from 'vitest';
import type { Command } from '../../src/domain/commands.ts';
import { KEY_TIMES, type IncidentEvent, type KeyTime } from '../../src/domain/events.ts';
import { asPdIncidentId, asSlackUserId } from '../../src/domain/ids.ts';
import { project, type IncidentState } from '../../src/domain/incident.ts';
import { keyTimesOf } from '../../src/domain/key-times.ts';
import { draftReport, keyTimeRows } from '../../src/domain/report/index.ts';
import { transition } from '../../src/domain/transition.ts';
import { describeEvent } from '../../src/web/pages/words.ts';
import { at, declare, envFor, play, T0, testPolicy } from '../helpers/domain.ts';

const MIN = 60_000;
const iso = (min: number): string => new Date(T0.getTime() + min * MIN).toISOString();
const DANA = asSlackUserId('UDANA');
/** The person `play` acts as (`envFor`): named commander, so the commands after the declaration are hers to give. */
const ME = asSlackUserId('UCOMMANDER');
const correct = (key: KeyTime, min: number, reason?: string): Command => ({ type: 'correct_time', key, at: iso(min), ...(reason ? { reason } : {}) });
const corrections = (events: IncidentEvent[]) => events.flatMap((e) => (e.type === 'time_corrected' ? [e.data] : []));
const pdResolve: Command = { type: 'record_pagerduty_event', eventType: 'incident.resolved', pdIncidentId: asPdIncidentId('PQ1'), facts: {} };
/** The report's value of a key time, as an ISO string. */
const reported = (events: IncidentEvent[], key: KeyTime): string | undefined => {
  const ms = keyTimeRows(events, testPolicy).find((r) => r.key === key)?.ms;
  return ms === undefined ? undefined : new Date(ms).toISOString();
};

describe('the service restored time', () => {
  it("records the resolution it replaces, and a second correction records the first's value", () => {
    const events = play(testPolicy, [[0, declare()], [28, { type: 'resolve' }], [60, correct('restored', 20, 'graphs')], [70, correct('restored', 22)]]);
    expect(corrections(events)).toEqual([
      { key: 'restored', at: iso(20), previous: iso(28), reason: 'graphs' },
      { key: 'restored', at: iso(22), previous: iso(20) },
    ]);
    // Worded so on the web view's timeline.
    expect(events.filter((e) => e.type === 'time_corrected').map((e) => describeEvent(e))).toEqual([
      'Time corrected: restored set to 2026-03-02 13:20:00 UTC (was 2026-03-02 13:28:00 UTC): graphs',
      'Time corrected: restored set to 2026-03-02 13:22:00 UTC (was 2026-03-02 13:20:00 UTC)',
    ]);
  });

  it("records PagerDuty's resolve when that is what the report measured", () => {
    const events = play(testPolicy, [[0, declare()], [15, pdResolve], [28, { type: 'resolve' }], [60, correct('restored', 12)]]);
    expect(corrections(events)).toEqual([{ key: 'restored', at: iso(12), previous: iso(15) }]);
  });

  it('records none while nothing was restored, as the report has none', () => {
    const events = play(testPolicy, [[0, declare()], [10, correct('restored', 8)], [12, correct('restored', 9)]]);
    expect(corrections(events)).toEqual([{ key: 'restored', at: iso(8) }, { key: 'restored', at: iso(9), previous: iso(8) }]);
  });

  it('after a reopen, records the new restoration, not the correction the reopen undid', () => {
    const events = play(testPolicy, [
      [0, declare()], [30, { type: 'resolve' }], [35, correct('restored', 25)], [90, { type: 'reopen' }], [95, { type: 'resolve' }], [100, correct('restored', 93)],
    ]);
    expect(corrections(events).at(-1)).toEqual({ key: 'restored', at: iso(93), previous: iso(95) });
  });
});

describe('the commander named time', () => {
  it('records the declaration when the commander was named in it', () => {
    const events = play(testPolicy, [[0, declare({ commanderId: ME })], [5, correct('commander_named', 2)], [6, correct('commander_named', 3)]]);
    expect(corrections(events)).toEqual([
      { key: 'commander_named', at: iso(2), previous: iso(0) },
      { key: 'commander_named', at: iso(3), previous: iso(2) },
    ]);
  });

  it('records the corrected declaration when the declaration was corrected first (the report moves it with it)', () => {
    const events = play(testPolicy, [[0, declare({ commanderId: ME })], [5, correct('declared', -10)], [6, correct('commander_named', -8)]]);
    expect(corrections(events).at(-1)).toEqual({ key: 'commander_named', at: iso(-8), previous: iso(-10) });
  });

  it('records the role assignment that named the first commander of a page', () => {
    // Declared from a PagerDuty page (no commander), Dana named at 13:05.
    const paged = transition(undefined, declare(), T0, envFor({ actor: { kind: 'pagerduty' } }));
    if (!paged.ok) throw new Error(JSON.stringify(paged.error));
    let s = paged.value.state;
    const events = [...paged.value.events];
    for (const [min, c] of [[4, { type: 'member_joined', userId: DANA }], [5, { type: 'assign_role', role: 'commander', userId: DANA }], [20, correct('commander_named', 3)]] as const) {
      const r = transition(s, c, at(min), envFor({ actor: { kind: 'user', userId: DANA } }));
      if (!r.ok) throw new Error(JSON.stringify(r.error));
      s = r.value.state;
      events.push(...r.value.events);
    }
    expect(reported(events.slice(0, -1), 'commander_named')).toBe(iso(5));
    expect(corrections(events)).toEqual([{ key: 'commander_named', at: iso(3), previous: iso(5) }]);
  });
});

describe('times the state kept apart from the report', () => {
  it('after a corrected declaration, records the times that moved with it as the report moved them', () => {
    // Declared by a person at 13:00, nothing else recorded: impact start, detection and acknowledgement are the declaration.
    const events = play(testPolicy, [[0, declare()], [5, correct('declared', -10)], [6, correct('impact_started', -15)], [7, correct('detected', -12)], [8, correct('acknowledged', -9)]]);
    expect(corrections(events).slice(1).map((c) => c.previous)).toEqual([iso(-10), iso(-10), iso(-10)]);
  });

  it("records PagerDuty's resolve as the mitigation an unmitigated incident had, as the report measured it", () => {
    const events = play(testPolicy, [[0, declare()], [15, pdResolve], [28, { type: 'resolve' }], [60, correct('mitigated', 12)]]);
    expect(reported(events.slice(0, -1), 'mitigated')).toBe(iso(15));
    expect(corrections(events)).toEqual([{ key: 'mitigated', at: iso(12), previous: iso(15) }]);
  });
});

describe('every key time', () => {
  // Declared with a commander at 13:00, customer called 13:07, acknowledged in Slack, mitigated 13:20, resolved 13:28, closed 13:40.
  const base: [number, Command][] = [
    [0, declare({ commanderId: ME })], [7, { type: 'record_customer_contact', customer: 'acme', details: 'called Dana' }],
    [20, { type: 'mark_mitigated' }], [28, { type: 'resolve' }], [40, { type: 'close' }],
  ];

  it.each(KEY_TIMES)('%s: a first correction records the report\'s value before it, a second the first\'s', (key) => {
    const before = play(testPolicy, base);
    const was = reported(before, key);
    expect(was).toBeDefined();
    const events = play(testPolicy, [...base, [60, correct(key, -3)], [61, correct(key, -2)]]);
    expect(corrections(events)).toEqual([{ key, at: iso(-3), previous: was }, { key, at: iso(-2), previous: iso(-3) }]);
    // The timeline shows both, each with what it replaced.
    const said = draftReport(events, testPolicy).split('\n').filter((l) => l.includes('Time corrected:'));
    expect(said).toHaveLength(2);
    expect(said[1]).toContain('12:58, was 12:57');
  });

  it('keeps, in the state, the key times the report has, after every event', () => {
    const steps: [number, Command][] = [
      ...base.slice(0, 4), [29, pdResolve], [30, correct('declared', -5)], [31, { type: 'reopen' }], [45, correct('resolved', 44)], [50, { type: 'resolve' }], [60, correct('restored', 48)],
    ];
    for (let n = 1; n <= steps.length; n++) {
      const events = play(testPolicy, steps.slice(0, n));
      const log = project(events)?.keyTimeLog;
      const kept = Object.fromEntries(Object.entries(keyTimesOf(log!)).map(([k, f]) => [k, new Date(f.ms).toISOString()]));
      const expected = Object.fromEntries(KEY_TIMES.flatMap((k) => (reported(events, k) ? [[k, reported(events, k)]] : [])));
      expect(kept, `after ${steps[n - 1]![1].type}`).toEqual(expected);
    }
  });
});

describe('an incident stored before its state kept the key times', () => {
  /** The state as an older Kranz saved it: no `keyTimeLog`. */
  const older = (events: IncidentEvent[]): IncidentState => {
    const { keyTimeLog: _log, ...s } = project(events)!;
    return s;
  };
  const correctOn = (s: IncidentState, command: Command) => {
    const r = transition(s, command, at(60), envFor());
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    return r.value;
  };

  it('still records what its state knows, and nothing for the times only the report derived', () => {
    const s = older(play(testPolicy, [[0, declare({ commanderId: ME })], [20, { type: 'mark_mitigated' }], [28, { type: 'resolve' }]]));
    expect(correctOn(s, correct('mitigated', 18)).events[0]?.data).toEqual({ key: 'mitigated', at: iso(18), previous: iso(20) });
    expect(correctOn(s, correct('declared', -2)).events[0]?.data).toMatchObject({ key: 'declared', at: iso(-2), previous: iso(0) });
    expect(correctOn(s, correct('restored', 25)).events[0]?.data).toEqual({ key: 'restored', at: iso(25) });
    // It does not start a log halfway: what came before would be missing from it.
    expect(correctOn(s, correct('restored', 25)).state?.keyTimeLog).toBeUndefined();
  });

  it('reads and renders a correction recorded without its "was"', () => {
    const events = play(testPolicy, [[0, declare()], [28, { type: 'resolve' }], [60, correct('restored', 20)]]);
    const old = events.map((e) => (e.type === 'time_corrected' ? { ...e, data: { key: e.data.key, at: e.data.at } } : e));
    const line = draftReport(old, testPolicy).split('\n').find((l) => l.includes('Time corrected:'));
    expect(line).toMatch(/Time corrected: service restored 13:20 — /);
    expect(line).not.toContain('was');
    expect(describeEvent(old.at(-1)!)).toBe('Time corrected: restored set to 2026-03-02 13:20:00 UTC');
    expect(keyTimeRows(old, testPolicy).find((r) => r.key === 'restored')?.ms).toBe(T0.getTime() + 20 * MIN);
  });
});
