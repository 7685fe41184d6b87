/**
 * One call item per attached customer, played through the real `transition`:
 * each item names its customer's main contact, ticking it records the call to
 * that customer only, attaching and detaching add and take off items, a
 * corrected declaration moves the open items' due times, the reminders follow
 * each item, and an incident stored with the older single item still loads
 * and behaves as it did.
 */
import { describe, expect, it } from 'vitest';
import { CALL_CUSTOMER_ITEM, callItemId, customersNotCalled, isCallItem } from '../../src/domain/call-items.ts';
import type { Command } from '../../src/domain/commands.ts';
import type { Effect } from '../../src/domain/effects.ts';
import type { IncidentEvent } from '../../src/domain/events.ts';
import { project, type IncidentState } from '../../src/domain/incident.ts';
import type { Policy } from '../../src/domain/policy.ts';
import { planReminders, reminderName, reminderStep } from '../../src/domain/reminders.ts';
import { transition } from '../../src/domain/transition.ts';
import { at, envFor, twoCustomerPolicy } from '../helpers/domain.ts';

const POLICY: Policy = {
  ...twoCustomerPolicy,
  customers: [...twoCustomerPolicy.customers, { id: 'initech', name: 'Initech', mainContact: { name: 'Bill Lumbergh', phone: '+1 555 0300' }, sla: { targetPercent: 99, periodDays: 30 }, serviceCredits: [] }],
};
const iso = (min: number): string => at(min).toISOString();

/** The incident so far: its state and every event, applied one command at a time at its minute. */
interface Played { state: IncidentState | undefined; events: IncidentEvent[] }

function apply(p: Played, min: number, c: Command, policy: Policy = POLICY): { played: Played; events: IncidentEvent[]; effects: Effect[] } {
  const r = transition(p.state, c, at(min), envFor({ policy }));
  if (!r.ok) throw new Error(`${c.type}: ${JSON.stringify(r.error)}`);
  return { played: { state: r.value.state, events: [...p.events, ...r.value.events] }, events: r.value.events, effects: r.value.effects };
}

function play(steps: [number, Command][], policy: Policy = POLICY): Played {
  let p: Played = { state: undefined, events: [] };
  for (const [min, c] of steps) p = apply(p, min, c, policy).played;
  return p;
}

const declare = (customers: string[], severity = 'SEV1'): Command => ({ type: 'declare', number: 7, title: 'Checkout fails', severity, customers });
const attach = (customer: string): Command => ({ type: 'attach_customer', customer, via: 'command' });
const detach = (customer: string): Command => ({ type: 'detach_customer', customer });
const tick = (itemId: string): Command => ({ type: 'check_item', itemId });
/** The call items as `[id, due, done]`, in checklist order. */
const calls = (s: IncidentState | undefined): [string, string | undefined, string | undefined][] =>
  (s?.checklist ?? []).filter(isCallItem).map((i) => [i.id, i.dueAt, i.doneAt]);

describe('declaring', () => {
  it('puts one call item per customer first, each naming its main contact and phone, due by the deadline', () => {
    const { state } = play([[0, declare(['acme', 'globex'])]]);
    expect(state?.checklist.slice(0, 2).map((i) => [i.id, i.customer, i.title, i.dueAt])).toEqual([
      ['call-customer:acme', 'acme', "Call the customer's main contact (Acme Corp: Dana Reyes (+1 555 0100))", iso(10)],
      // Globex has no phone on file: the name alone.
      ['call-customer:globex', 'globex', "Call the customer's main contact (Globex: Hank Scorpio)", iso(10)],
    ]);
    // Then the severity's own items, as before.
    expect(state?.checklist.slice(2).map((i) => i.id)).toEqual(POLICY.severities.find((x) => x.key === 'SEV1')?.checklist.map((i) => i.id));
  });

  it('keeps the single generic item when no customer is named', () => {
    const { state } = play([[0, declare([])]]);
    expect(calls(state)).toEqual([[CALL_CUSTOMER_ITEM, iso(10), undefined]]);
    expect(state?.checklist[0]?.title).toBe("Call the customer's main contact");
  });
});

describe('ticking a customer call item', () => {
  const declared = play([[0, declare(['acme', 'globex'])]]);

  it("records the call to that customer only, and ticks only that customer's item", () => {
    const r = apply(declared, 4, tick(callItemId('acme')));
    expect(r.events.map((e) => [e.type, e.data])).toEqual([
      ['customer_contacted', { customer: 'acme', details: "Call the customer's main contact (Acme Corp: Dana Reyes (+1 555 0100))", via: 'checklist' }],
    ]);
    const s = r.played.state!;
    expect(calls(s)).toEqual([[callItemId('acme'), iso(10), iso(4)], [callItemId('globex'), iso(10), undefined]]);
    expect(s.checklist[0]?.doneBy).toBe('UCOMMANDER');
    expect(s.times.customerContactedAt).toBe(iso(4));
    expect(customersNotCalled(s)).toEqual(['globex']);
    // Globex's reminder stays; Acme's is gone.
    expect(planReminders(s, POLICY).filter((x) => x.kind === 'customer_contact').map(reminderName)).toEqual(['customer_contact:globex']);
    const again = transition(s, tick(callItemId('acme')), at(5), envFor({ policy: POLICY }));
    expect(!again.ok && again.error.code).toBe('checklist.already_done');
  });

  it('a contact logged for one customer ticks theirs; one naming no customer, with several attached, ticks each', () => {
    const named = apply(declared, 3, { type: 'record_customer_contact', customer: 'globex', details: 'Called Hank' }).played.state;
    expect(calls(named).map(([id, , done]) => [id, done])).toEqual([[callItemId('acme'), undefined], [callItemId('globex'), iso(3)]]);
    // The report counts a contact naming no customer as a contact with each: the checklist says the same.
    const anyone = apply(declared, 3, { type: 'record_customer_contact', details: 'Emailed all customers' }).played.state;
    expect(calls(anyone).map(([, , done]) => done)).toEqual([iso(3), iso(3)]);
  });

  it('a contact naming no customer, with one attached, is recorded as theirs', () => {
    const one = play([[0, declare(['acme'])]]);
    const r = apply(one, 3, { type: 'record_customer_contact', details: 'Called Dana' });
    expect(r.events[0]?.data).toEqual({ customer: 'acme', details: 'Called Dana' });
    expect(calls(r.played.state)).toEqual([[callItemId('acme'), iso(10), iso(3)]]);
  });

  it('ticking the generic item is the call to the customer: the contact is recorded, for no customer in particular', () => {
    const r = apply(play([[0, declare([])]]), 3, tick(CALL_CUSTOMER_ITEM));
    expect(r.events.map((e) => [e.type, e.data])).toEqual([['customer_contacted', { details: "Call the customer's main contact", via: 'checklist' }]]);
    expect(r.played.state?.times.customerContactedAt).toBe(iso(3));
    expect(calls(r.played.state)).toEqual([[CALL_CUSTOMER_ITEM, iso(10), iso(3)]]);
    expect(r.effects).toContainEqual({ kind: 'slack.refresh_slot', slot: 'summary' });
  });

  it('a contact recorded before the generic item is ticked stays the first contact', () => {
    const p = play([[0, declare([])], [2, { type: 'record_customer_contact', details: 'Called the account manager' }]]);
    expect(p.state?.times.customerContactedAt).toBe(iso(2));
    // The contact above ticked the item already; ticking it again is refused and records nothing.
    const r = transition(p.state, tick(CALL_CUSTOMER_ITEM), at(5), envFor({ policy: POLICY }));
    expect(r.ok ? 'ticked' : r.error.code).toBe('checklist.already_done');
  });
});

describe('attaching a customer', () => {
  it('the first one named takes over the generic item, due as it was (naming them does not restart the clock)', () => {
    const p = play([[0, declare([])], [15, attach('globex')]]);
    expect(calls(p.state)).toEqual([[callItemId('globex'), iso(10), undefined]]);
    expect(p.state?.checklist[0]?.title).toBe("Call the customer's main contact (Globex: Hank Scorpio)");
  });

  it('the only customer configured, attached at the declaration, gets the declaration deadline', () => {
    const one: Policy = { ...POLICY, customers: POLICY.customers.slice(0, 1) };
    const p = play([[0, { type: 'declare', number: 7, title: 'Checkout fails', severity: 'SEV2' }]], one);
    expect(p.events.map((e) => e.type)).toEqual(['declared', 'customer_attached']);
    expect(calls(p.state)).toEqual([[callItemId('acme'), iso(15), undefined]]);
  });

  it("another is due by the declaration's deadline while that is ahead, else the deadline from when attached", () => {
    const p = play([[0, declare(['acme'])], [4, attach('globex')], [30, attach('initech')]]);
    expect(calls(p.state)).toEqual([
      [callItemId('acme'), iso(10), undefined],
      [callItemId('globex'), iso(10), undefined],
      [callItemId('initech'), iso(40), undefined],
    ]);
    // Calls stay first, in the order the customers were attached.
    expect(p.state?.checklist.slice(3).some(isCallItem)).toBe(false);
    expect(p.state?.checklist).toHaveLength(3 + (POLICY.severities.find((x) => x.key === 'SEV1')?.checklist.length ?? 0));
    expect(planReminders(p.state!, POLICY).filter((r) => r.kind === 'customer_contact').map((r) => [reminderName(r), r.dueAt])).toEqual([
      ['customer_contact:acme', iso(10)], ['customer_contact:globex', iso(10)], ['customer_contact:initech', iso(40)],
    ]);
  });

  it('a severity with no customer impact gets a call item too, by the same rule', () => {
    // SEV4: call within 4 h. Attached at 13:30, while the declaration's deadline (17:00) is ahead; at 17:30, after it.
    const p = play([[0, declare([], 'SEV4')], [30, attach('acme')], [270, attach('globex')]]);
    expect(calls(p.state)).toEqual([[callItemId('acme'), iso(240), undefined], [callItemId('globex'), iso(510), undefined]]);
  });
});

describe('detaching a customer', () => {
  it('takes their open item off, says so, and leaves the others', () => {
    const p = play([[0, declare(['acme', 'globex'])]]);
    const r = apply(p, 5, detach('globex'));
    expect(calls(r.played.state)).toEqual([[callItemId('acme'), iso(10), undefined]]);
    expect(r.effects).toContainEqual({ kind: 'slack.post', to: { kind: 'incident' }, message: { template: 'customer_detached', customer: 'globex', callRemoved: true } });
    expect(planReminders(r.played.state!, POLICY).filter((x) => x.kind === 'customer_contact').map(reminderName)).toEqual(['customer_contact:acme']);
  });

  it('keeps a done item: the call happened', () => {
    const p = play([[0, declare(['acme', 'globex'])], [3, tick(callItemId('globex'))]]);
    const r = apply(p, 5, detach('globex'));
    expect(calls(r.played.state)).toEqual([[callItemId('acme'), iso(10), undefined], [callItemId('globex'), iso(10), iso(3)]]);
    expect(r.effects).toContainEqual({ kind: 'slack.post', to: { kind: 'incident' }, message: { template: 'customer_detached', customer: 'globex' } });
  });

  it('the last customer gone with nobody called brings back the generic item, due by the declaration', () => {
    const p = play([[0, declare(['acme'])], [30, attach('globex')], [31, detach('acme')], [32, detach('globex')]]);
    expect(calls(p.state)).toEqual([[CALL_CUSTOMER_ITEM, iso(10), undefined]]);
    // Attached again, the customer takes it over.
    const back = apply(p, 33, attach('acme')).played.state;
    expect(calls(back)).toEqual([[callItemId('acme'), iso(10), undefined]]);
  });

  it('a customer attached again keeps their done call', () => {
    const p = play([[0, declare(['acme', 'globex'])], [3, tick(callItemId('globex'))], [5, detach('globex')], [8, attach('globex')]]);
    expect(calls(p.state)).toEqual([[callItemId('acme'), iso(10), undefined], [callItemId('globex'), iso(10), iso(3)]]);
    expect(customersNotCalled(p.state!)).toEqual(['acme']);
  });
});

describe('a corrected declaration', () => {
  it('moves the open call items with it, and their reminders; a done item stays', () => {
    // Acme and Globex named at 13:00 (due 13:10); Initech attached at 13:30 (due 13:40). Globex called at 13:02.
    const p = play([[0, declare(['acme', 'globex'])], [2, tick(callItemId('globex'))], [30, attach('initech')]]);
    const earlier = apply(p, 31, { type: 'correct_time', key: 'declared', at: iso(-5), reason: 'declared in the phone bridge first' });
    expect(earlier.events[0]?.data).toMatchObject({ key: 'declared', at: iso(-5), checklist: { due: [{ itemId: callItemId('acme'), dueAt: iso(5), dueWithinMs: 600_000 }] } });
    // Initech's call still counts from when it was attached: the corrected deadline (13:05) had passed by then.
    expect(calls(earlier.played.state)).toEqual([[callItemId('acme'), iso(5), undefined], [callItemId('globex'), iso(10), iso(2)], [callItemId('initech'), iso(40), undefined]]);
    expect(earlier.effects).toContainEqual({ kind: 'slack.refresh_slot', slot: 'checklist' });
    expect(planReminders(earlier.played.state!, POLICY).find((r) => reminderName(r) === 'customer_contact:acme')?.dueAt).toBe(iso(5));

    // Later than Initech's attach: its call is due by the corrected declaration's deadline, as if attached under it.
    const later = apply(p, 31, { type: 'correct_time', key: 'declared', at: iso(25) });
    expect(calls(later.played.state)).toEqual([[callItemId('acme'), iso(35), undefined], [callItemId('globex'), iso(10), iso(2)], [callItemId('initech'), iso(35), undefined]]);
  });

  it('a customer attached after the correction counts from the corrected declaration', () => {
    // Declared 13:00, corrected to 12:52: the deadline is 13:02, passed when Globex is attached at 13:05.
    const p = play([[0, declare(['acme'])], [1, { type: 'correct_time', key: 'declared', at: iso(-8) }], [5, attach('globex')]]);
    expect(p.state?.declaredCorrectedAt).toBe(iso(-8));
    expect(calls(p.state)).toEqual([[callItemId('acme'), iso(2), undefined], [callItemId('globex'), iso(15), undefined]]);
  });

  it('moves the generic item, and an item that took it over', () => {
    const p = play([[0, declare([])]]);
    const moved = apply(p, 3, { type: 'correct_time', key: 'declared', at: iso(-4) }).played;
    expect(calls(moved.state)).toEqual([[CALL_CUSTOMER_ITEM, iso(6), undefined]]);
    expect(calls(apply(moved, 4, attach('acme')).played.state)).toEqual([[callItemId('acme'), iso(6), undefined]]);
  });

  it('records no change when nothing moves (other key times, or every call done)', () => {
    const p = play([[0, declare(['acme'])], [2, tick(callItemId('acme'))]]);
    const r = apply(p, 3, { type: 'correct_time', key: 'declared', at: iso(-4) });
    expect(r.events[0]?.data).toEqual({ key: 'declared', at: iso(-4), previous: iso(0) });
    expect(r.effects).not.toContainEqual({ kind: 'slack.refresh_slot', slot: 'checklist' });
  });
});

describe('reminders per call item', () => {
  it("name the customer's own contact in each customer's reminder", () => {
    const p = play([[0, declare(['acme', 'globex'])]]);
    const s = p.state!;
    const [acme, globex] = planReminders(s, POLICY).filter((r) => r.kind === 'customer_contact');
    expect(reminderStep(acme!, 1, s, POLICY, at(11)).facts.callWho).toBe("Call the customer's main contact (Acme Corp: Dana Reyes (+1 555 0100))");
    expect(reminderStep(globex!, 1, s, POLICY, at(11)).facts.callWho).toBe("Call the customer's main contact (Globex: Hank Scorpio)");
  });
});

describe('replaying the log', () => {
  it('gives the state the transitions gave, through attaching, ticking, detaching and a corrected declaration', () => {
    const p = play([
      [0, declare([])], [2, attach('acme')], [3, attach('globex')], [4, tick(callItemId('acme'))],
      [20, attach('initech')], [21, { type: 'correct_time', key: 'declared', at: iso(-3) }], [22, detach('globex')], [23, detach('initech')],
    ]);
    expect(project(p.events)).toEqual(p.state);
    expect(calls(p.state)).toEqual([[callItemId('acme'), iso(10), iso(4)]]);
  });
});

describe('an incident stored with the older single call item', () => {
  // As an earlier Kranz stored it: one item for both customers, its title naming both, no customer on it.
  const legacy = (): IncidentState => {
    const s = play([[0, declare(['acme', 'globex'])]]).state!;
    const { customer: _c, dueWithinMs: _d, ...acme } = s.checklist[0]!;
    return {
      ...s,
      checklist: [
        { ...acme, id: CALL_CUSTOMER_ITEM, title: "Call the customer's main contact (Acme Corp: Dana Reyes (+1 555 0100); Globex: Hank Scorpio)" },
        ...s.checklist.filter((i) => !isCallItem(i)),
      ],
    };
  };

  it('loads and keeps its one reminder and its one tick, as before', () => {
    const s = legacy();
    expect(planReminders(s, POLICY).filter((r) => r.kind === 'customer_contact').map((r) => [reminderName(r), r.dueAt])).toEqual([['customer_contact', iso(10)]]);
    expect(customersNotCalled(s)).toEqual(['acme', 'globex']);
    const r = transition(s, tick(CALL_CUSTOMER_ITEM), at(4), envFor({ policy: POLICY }));
    // The single item named both customers: its tick is the call to each, as a contact naming no customer is.
    expect(r.ok && r.value.events.map((e) => [e.type, 'customer' in e.data ? e.data.customer : undefined])).toEqual([['customer_contacted', undefined]]);
    expect(r.ok && calls(r.value.state)).toEqual([[CALL_CUSTOMER_ITEM, iso(10), iso(4)]]);
    expect(r.ok && r.value.state?.times.customerContactedAt).toBe(iso(4));
  });

  it('gives each customer their own item, due as the single one was, at its next customer change', () => {
    const r = transition(legacy(), attach('initech'), at(30), envFor({ policy: POLICY }));
    expect(r.ok && calls(r.value.state)).toEqual([
      [callItemId('acme'), iso(10), undefined], [callItemId('globex'), iso(10), undefined], [callItemId('initech'), iso(40), undefined],
    ]);
    const d = transition(legacy(), detach('globex'), at(5), envFor({ policy: POLICY }));
    expect(d.ok && calls(d.value.state)).toEqual([[callItemId('acme'), iso(10), undefined]]);
    expect(d.ok && d.value.state?.checklist[0]?.title).toBe("Call the customer's main contact (Acme Corp: Dana Reyes (+1 555 0100))");
  });

  it('replays an older log to the single item it had', () => {
    // An older declaration (one item naming Acme) and an older attach (no checklist change recorded).
    const { state, events } = play([[0, declare(['acme'])], [4, attach('globex')]]);
    expect(state).toBeDefined();
    const old = events.map((e): IncidentEvent => {
      if (e.type === 'declared') {
        return { ...e, data: { ...e.data, checklist: [{ id: CALL_CUSTOMER_ITEM, title: "Call the customer's main contact (Acme Corp: Dana Reyes (+1 555 0100))", dueAt: iso(10) }, ...e.data.checklist.filter((i) => !isCallItem(i))] } };
      }
      if (e.type === 'customer_attached') {
        const { checklist: _c, ...data } = e.data;
        return { ...e, data };
      }
      return e;
    });
    const s = project(old)!;
    expect(s.customers).toEqual(['acme', 'globex']);
    expect(s.checklist.filter(isCallItem).map((i) => [i.id, i.title, i.dueAt])).toEqual([
      [CALL_CUSTOMER_ITEM, "Call the customer's main contact (Acme Corp: Dana Reyes (+1 555 0100); Globex: Hank Scorpio)", iso(10)],
    ]);
  });
});
