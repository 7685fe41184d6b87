/**
 * Free text cleaned for customers, and whether it still says anything: a
 * text whose words were all Slack mentions, channel links, internal links or
 * other customers' names (and the words joining them) has no words left.
 */
import { describe, expect, it } from 'vitest';
import { cleanForCustomer, customerText } from '../../src/domain/report/customer-text.ts';
import { twoCustomerPolicy } from '../helpers/domain.ts';

const globex = twoCustomerPolicy.customers.filter((c) => c.id === 'globex');

describe('customerText', () => {
  it('finds no words in a text that only points at the channel and PagerDuty, though the cleaning left some of its own', () => {
    const c = customerText('see <#C0123ABCD|inc-7-db> and https://acme.pagerduty.com/incidents/PABC', []);
    expect(c).toEqual({ text: 'see our incident channel and', hasWords: false, removed: ['channel', 'pagerduty_link'] });
  });

  it('finds no words in mentions, user ids, Slack links, other customers and punctuation alone', () => {
    expect(customerText('<@U012ABCDEF> <@W0987654321|mara> cc U0123ABCDE', [])).toMatchObject({ hasWords: false, removed: ['mention', 'user_id'] });
    expect(customerText('(see https://acme.slack.com/archives/C1/p1) — …', [])).toMatchObject({ text: '— …', hasWords: false, removed: ['slack_link'] });
    expect(customerText('Globex, globex!', globex)).toMatchObject({ text: 'another customer, another customer!', hasWords: false, removed: ['customer_name'] });
    expect(customerText('...', [])).toEqual({ text: '...', hasWords: false, removed: [] });
  });

  it('keeps words of the writer in any script, digits included, and cleans them as before', () => {
    const mixed = 'Card payments fail for Globex; <@U012ABCDEF> is on it, see https://acme.pagerduty.com/incidents/PABC';
    expect(customerText(mixed, globex)).toEqual({
      text: cleanForCustomer(mixed, globex),
      hasWords: true,
      removed: ['mention', 'pagerduty_link', 'customer_name'],
    });
    expect(cleanForCustomer(mixed, globex)).toBe('Card payments fail for another customer; our team is on it, see');
    expect(customerText('Störung behoben, siehe <#C0123ABCD>', []).hasWords).toBe(true);
    expect(customerText('決済の障害 <#C0123ABCD>', []).hasWords).toBe(true);
    expect(customerText('see <#C0123ABCD> 503', []).hasWords).toBe(true);
    // A labelled link keeps its label, which is the writer's.
    expect(customerText('see <https://acme.pagerduty.com/incidents/PABC|the payment gateway>', [])).toMatchObject({ text: 'see the payment gateway', hasWords: true });
  });
});
