/** Reads the web view makes of an incident's log: events after a position, in log order, across digit boundaries of `seq`. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsAfter } from '../../src/adapters/db/incident-reads-sql.ts';
import { applyCommand } from '../../src/app/apply-command.ts';
import { declareIncident } from '../../src/app/declare-incident.ts';
import { asSlackUserId } from '../../src/domain/ids.ts';
import { appHarness, personMeta, type AppHarness } from '../helpers/app.ts';


let h: AppHarness;
beforeAll(async () => {
  h = await appHarness();
});
afterAll(async () => h.close());

describe('eventsAfter', () => {
  it('returns events in log order, and pages through them without skipping, past 9 and 99', async () => {
    const d = await declareIncident(h.deps, { title: 'Checkout errors', severity: 'SEV2', commanderId: asSlackUserId('UDANA') }, personMeta('seq-d', 'UDANA'));
    if (!d.ok) throw new Error('declare failed');
    for (let i = 0; i < 120; i++) {
      const o = await applyCommand(h.deps, { id: d.incidentId }, { type: 'add_note', text: `note ${i}`, via: 'command', authorId: asSlackUserId('UDANA') }, personMeta(`seq-n${i}`, 'UDANA'));
      expect(o.ok).toBe(true);
    }
    const all = await eventsAfter(h.pool, d.incidentId, 0, 1000);
    const seqs = all.map((e) => e.seq);
    expect(seqs.length).toBeGreaterThan(120);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    // Paging 7 at a time from the last position seen gives every event once, in order.
    const paged: number[] = [];
    for (let after = 0; ; ) {
      const page = await eventsAfter(h.pool, d.incidentId, after, 7);
      if (page.length === 0) break;
      paged.push(...page.map((e) => e.seq));
      after = page.at(-1)!.seq;
    }
    expect(paged).toEqual(seqs);
  });
});
