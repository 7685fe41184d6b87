/**
 * An incident stored by an earlier Kranz, with one call item for all its
 * customers (its projection in Postgres and its reminder rows as that Kranz
 * left them), loaded and worked on by this one: nothing rewrites it, its one
 * item still ticks and reminds as before, and its next customer change gives
 * each customer an item of their own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCommand } from '../../src/app/apply-command.ts';
import { declareIncident } from '../../src/app/declare-incident.ts';
import { findIncident } from '../../src/app/query-incidents.ts';
import { CALL_CUSTOMER_ITEM, isCallItem } from '../../src/domain/call-items.ts';
import { asSlackChannelId, asSlackUserId, type IncidentId } from '../../src/domain/ids.ts';
import type { IncidentState } from '../../src/domain/incident.ts';
import type { Policy } from '../../src/domain/policy.ts';
import { planReminders } from '../../src/domain/reminders.ts';
import { appHarness, type AppHarness } from '../helpers/app.ts';
import { at, twoCustomerPolicy } from '../helpers/domain.ts';

const policy: Policy = {
  ...twoCustomerPolicy,
  customers: [...twoCustomerPolicy.customers, { id: 'initech', name: 'Initech', mainContact: { name: 'Bill Lumbergh' }, sla: { targetPercent: 99, periodDays: 30 }, serviceCredits: [] }],
};
const meta = (key: string) => ({ actor: { kind: 'user' as const, userId: asSlackUserId('UDANA') }, source: { kind: 'slack' as const, channelId: asSlackChannelId('CGEN') }, idempotencyKey: key });
const OLD_TITLE = "Call the customer's main contact (Acme Corp: Dana Reyes (+1 555 0100); Globex: Hank Scorpio)";

let h: AppHarness;
beforeAll(async () => {
  h = await appHarness(policy);
});
afterAll(async () => h.close());

/** Declares an incident for Acme and Globex, then stores it as an earlier Kranz would have: one call item naming both. */
async function legacyIncident(key: string): Promise<IncidentId> {
  h.clock.set(at(0));
  const d = await declareIncident(h.deps, { title: 'Checkout fails', severity: 'SEV1', customers: ['acme', 'globex'] }, meta(key));
  if (!d.ok) throw new Error('declare failed');
  const stored = (await h.pool.query<{ state: IncidentState }>('select state from incidents where id = $1', [d.incidentId])).rows[0]!.state;
  const old = {
    ...stored,
    // The older item had no customer and no deadline of its own, and the state no corrected declaration.
    checklist: [{ id: CALL_CUSTOMER_ITEM, title: OLD_TITLE, dueAt: at(10).toISOString() }, ...stored.checklist.filter((i) => !isCallItem(i)).map(({ id, title, dueAt }) => ({ id, title, ...(dueAt ? { dueAt } : {}) }))],
  };
  await h.pool.query('update incidents set state = $2 where id = $1', [d.incidentId, JSON.stringify(old)]);
  await h.deps.store.transaction((u) => u.reminders.syncReminders(d.incidentId, planReminders(old, policy), at(0)));
  return d.incidentId;
}

const reminderNames = async (id: IncidentId): Promise<string[]> =>
  (await h.pool.query<{ n: string }>("select kind || coalesce(nullif(':' || subject, ':'), '') as n from reminders where incident_id = $1 and kind = 'customer_contact' order by subject", [id])).rows.map((r) => r.n);

describe('an incident stored with the older single call item', () => {
  it('loads as stored, and ticking its one item ticks it as before', async () => {
    const id = await legacyIncident('legacy-1');
    const loaded = await findIncident(h.deps, { id });
    expect(loaded?.checklist.filter(isCallItem).map((i) => [i.id, i.title])).toEqual([[CALL_CUSTOMER_ITEM, OLD_TITLE]]);
    expect(await reminderNames(id)).toEqual(['customer_contact']);

    h.clock.set(at(4));
    const o = await applyCommand(h.deps, { id }, { type: 'check_item', itemId: CALL_CUSTOMER_ITEM }, meta('legacy-1-tick'));
    expect(o.ok).toBe(true);
    const types = (await h.pool.query<{ type: string }>('select type from incident_events where incident_id = $1 order by seq', [id])).rows.map((r) => r.type);
    expect(types.at(-1)).toBe('customer_contacted');
    const after = await findIncident(h.deps, { id });
    expect(after?.checklist.filter(isCallItem).map((i) => [i.id, i.doneAt])).toEqual([[CALL_CUSTOMER_ITEM, at(4).toISOString()]]);
    expect(await reminderNames(id)).toEqual([]);
  });

  it('gives each customer their own item at its next customer change, and ticking one is the call to that customer', async () => {
    const id = await legacyIncident('legacy-2');
    h.clock.set(at(30));
    expect((await applyCommand(h.deps, { id }, { type: 'attach_customer', customer: 'initech', via: 'command' }, meta('legacy-2-attach'))).ok).toBe(true);
    const s = await findIncident(h.deps, { id });
    expect(s?.checklist.filter(isCallItem).map((i) => [i.id, i.dueAt])).toEqual([
      // Acme and Globex keep the single item's due time; Initech, attached after it, counts from its attach.
      ['call-customer:acme', at(10).toISOString()], ['call-customer:globex', at(10).toISOString()], ['call-customer:initech', at(40).toISOString()],
    ]);
    expect(await reminderNames(id)).toEqual(['customer_contact:acme', 'customer_contact:globex', 'customer_contact:initech']);

    h.clock.set(at(31));
    expect((await applyCommand(h.deps, { id }, { type: 'check_item', itemId: 'call-customer:globex' }, meta('legacy-2-tick'))).ok).toBe(true);
    const contacts = await h.pool.query<{ data: { customer?: string } }>("select data from incident_events where incident_id = $1 and type = 'customer_contacted'", [id]);
    expect(contacts.rows.map((r) => r.data.customer)).toEqual(['globex']);
    expect(await reminderNames(id)).toEqual(['customer_contact:acme', 'customer_contact:initech']);
  });
});
