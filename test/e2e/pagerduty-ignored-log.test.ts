/**
 * Events Kranz ignores on purpose (here: a service that does not open
 * incidents) are logged once per intake pass at info, with a count and a few
 * examples, and one by one at debug: a storm from such a service must not
 * write a line per delivery where operators read.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logLines } from '../helpers/log-lines.ts';
import { PD, rows, settled, startPdHarness, type PdHarness } from '../helpers/pd-harness.ts';

interface LogLine {
  level: number;
  msg: string;
  ignored?: number;
  examples?: { eventId: string; reason: string }[];
  eventId?: string;
  reason?: string;
}

const { lines, sink } = logLines<LogLine>();
let h: PdHarness;
beforeAll(async () => {
  h = await startPdHarness({ log: pino({ level: 'debug' }, sink) });
});
afterAll(async () => h?.close());

const INFO = 30;
const DEBUG = 20;

describe('PagerDuty events ignored on purpose', () => {
  it('are summed up once per pass at info, with examples, and listed one by one at debug', async () => {
    const incidents = Array.from({ length: 20 }, (_, i) => h.pdIncident({ serviceId: PD.manualService, title: `Disk ${i} filling` }));
    const sent = await Promise.all(incidents.map((pd) => h.event('incident.triggered', pd)));
    expect(sent.every((s) => s.status === 202)).toBe(true);
    await settled(h);
    const stored = await rows<{ status: string }>(h, 'select status from inbound_archive where dedupe_key = any($1::text[])', [sent.map((s) => `pd:${s.eventId}`)]);
    expect(stored.map((r) => r.status)).toEqual(Array(20).fill('ignored'));

    const summaries = lines.filter((l) => l.level === INFO && /^(\d+ )?PagerDuty events? ignored$/.test(l.msg));
    expect(summaries.reduce((n, l) => n + (l.ignored ?? 0), 0)).toBe(20);
    // Sent together, they were settled in a few passes, not one line each.
    expect(summaries.length).toBeLessThan(20);
    for (const s of summaries) {
      expect(s.examples!.length).toBe(Math.min(3, s.ignored!));
      for (const e of s.examples!) expect(e.reason).toContain(`service ${PD.manualService} does not auto-open`);
    }
    const each = lines.filter((l) => l.level === DEBUG && l.msg === 'PagerDuty event ignored');
    expect(each.map((l) => l.eventId).sort()).toEqual(sent.map((s) => s.eventId).sort());
  });
});
