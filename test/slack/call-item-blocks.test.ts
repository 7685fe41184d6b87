/**
 * What people see of the call items: a call button per customer on the
 * checklist, who is still to be called in the pinned summary, `/incident
 * status` and the web list, and the notice that a removed customer's call is
 * off the checklist.
 */
import { describe, expect, it } from 'vitest';
import { checklistMessage, statusEphemeral, summaryMessage } from '../../src/adapters/slack/blocks/incident.ts';
import { customerNoticeText } from '../../src/adapters/slack/strings/customers.ts';
import { callItemId } from '../../src/domain/call-items.ts';
import type { Command } from '../../src/domain/commands.ts';
import type { IncidentState } from '../../src/domain/incident.ts';
import { transition } from '../../src/domain/transition.ts';
import { clocks } from '../../src/web/pages/list.ts';
import { at, envFor, twoCustomerPolicy as policy } from '../helpers/domain.ts';

function play(commands: Command[]): IncidentState {
  let s: IncidentState | undefined;
  for (const c of commands) {
    const r = transition(s, c, at(1), envFor({ policy }));
    if (!r.ok) throw new Error(`${c.type}: ${JSON.stringify(r.error)}`);
    s = r.value.state;
  }
  return s!;
}

const both = play([{ type: 'declare', number: 7, title: 'Search is down', severity: 'SEV1', customers: ['acme', 'globex'] }]);
const acmeCalled = play([{ type: 'declare', number: 7, title: 'Search is down', severity: 'SEV1', customers: ['acme', 'globex'] }, { type: 'check_item', itemId: callItemId('acme') }]);
const buttons = (s: IncidentState) => checklistMessage(s, policy).blocks.flatMap((b) => ('accessory' in b && b.accessory ? [b.accessory as { action_id: string; style?: string }] : []));

describe('the checklist', () => {
  it('has a call button per customer, first and in primary style, each under its own contact', () => {
    expect(buttons(both).slice(0, 3).map((b) => [b.action_id, b.style])).toEqual([
      ['checklist_done:call-customer:acme', 'primary'], ['checklist_done:call-customer:globex', 'primary'], ['checklist_done:assign-commander', undefined],
    ]);
    const text = JSON.stringify(checklistMessage(both, policy).blocks);
    expect(text).toContain(':telephone_receiver: *Before anything else:* Call the customer\'s main contact (Acme Corp: Dana Reyes (+1 555 0100))');
    expect(text).toContain(':telephone_receiver: *Before anything else:* Call the customer\'s main contact (Globex: Hank Scorpio)');
  });

  it("drops only the called customer's button", () => {
    expect(buttons(acmeCalled).map((b) => b.action_id)).not.toContain('checklist_done:call-customer:acme');
    expect(buttons(acmeCalled).map((b) => b.action_id)).toContain('checklist_done:call-customer:globex');
  });
});

describe('who is still to be called', () => {
  it('is in the pinned summary and in /incident status, by name', () => {
    expect(JSON.stringify(summaryMessage(acmeCalled, policy).blocks)).toContain('*Not called yet*\\nGlobex');
    expect(JSON.stringify(summaryMessage(both, policy).blocks)).toContain('*Not called yet*\\nAcme Corp, Globex');
    expect(statusEphemeral(acmeCalled, policy).text).toMatch(/Customer contacted <!date\^\d+\^\{time\}\|[^>]+>\. :warning: Not called yet: Globex\./);
    expect(statusEphemeral(both, policy).text).toContain(':warning: Not called yet: Acme Corp, Globex.');
  });

  it('with one customer, keeps the one line it had', () => {
    const one = play([{ type: 'declare', number: 7, title: 'Search is down', severity: 'SEV1', customers: ['acme'] }]);
    expect(statusEphemeral(one, policy).text).toContain(':warning: The customer has not been contacted yet.');
    expect(JSON.stringify(summaryMessage(one, policy).blocks)).not.toContain('Not called yet');
  });

  it('is in the web list: customers not called, of those attached', () => {
    expect(String(clocks(acmeCalled, at(2).getTime()))).toContain('<span class="late">1 of 2 customers not contacted</span>');
    expect(String(clocks(both, at(2).getTime()))).toContain('<span class="late">customer not contacted</span>');
    const all = play([{ type: 'declare', number: 7, title: 'Search is down', severity: 'SEV1', customers: ['acme', 'globex'] }, { type: 'check_item', itemId: callItemId('acme') }, { type: 'check_item', itemId: callItemId('globex') }]);
    expect(String(clocks(all, at(2).getTime()))).toContain('<span class="okay">customer contacted</span>');
  });
});

describe('removing a customer', () => {
  it("says their open call is off the checklist, and says nothing of a call already made", () => {
    expect(customerNoticeText({ template: 'customer_detached', customer: 'globex', callRemoved: true }, both, policy).text)
      .toBe('Globex is no longer attached to INC-7; status updates are not relayed to them any more. Their call (Hank Scorpio) is off the checklist.');
    expect(customerNoticeText({ template: 'customer_detached', customer: 'globex' }, both, policy).text)
      .toBe('Globex is no longer attached to INC-7; status updates are not relayed to them any more.');
  });
});
