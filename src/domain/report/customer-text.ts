/**
 * Free text made fit for a customer's eyes: what the customer report does to
 * status updates, the root cause and the measures before showing them.
 */
import type { CustomerPolicy } from '../policy.ts';
import type { ReportFacts } from './facts.ts';

/**
 * A Slack user id pasted as plain text: U or W, then 8 to 11 upper-case
 * letters or digits, at least one a digit. The digit is what keeps ordinary
 * upper-case words (UNAVAILABLE, UNAUTHORIZED, WAREHOUSE) out: they have none.
 * `<@…>` mentions are matched on their own, whatever the id's length.
 */
const BARE_USER_ID = /\b[UW](?=[A-Z]*\d)[A-Z0-9]{8,11}\b/g;

/**
 * A name as a whole word, in any case: not inside a longer word ("Bank" leaves
 * "banking" alone). Letters and digits of any script count as word characters,
 * which `\b` does not do (it would never match "Ørsted" after a space).
 */
function wholeWord(name: string): RegExp {
  return new RegExp(`(?<![\\p{L}\\p{N}_])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\p{L}\\p{N}_])`, 'giu');
}

/**
 * Makes free text safe to show a customer: Slack mentions become names (or
 * "our team"), channel references and internal links go, and every other
 * configured customer's name becomes "another customer".
 */
export function forCustomer(text: string, facts: ReportFacts, others: readonly CustomerPolicy[], showNames: boolean): string {
  return cleanForCustomer(text, others, (id) => (showNames ? facts.names.get(id) : undefined));
}

/**
 * The same cleaning where no report facts are at hand (status page entries and
 * customer emails): a mention becomes the name `nameOf` gives, else "our team".
 */
export function cleanForCustomer(text: string, others: readonly CustomerPolicy[], nameOf: (userId: string) => string | undefined = () => undefined): string {
  let t = text
    .replace(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g, (_m, id: string) => nameOf(id) || 'our team')
    .replace(/<#C[A-Z0-9]+(?:\|([^>]*))?>/g, 'our incident channel')
    .replace(/<(https?:\/\/[^|>]+)\|([^>]*)>/g, '$2')
    .replace(/<(https?:\/\/[^>]+)>/g, '$1')
    .replace(/https?:\/\/[^\s)]*(pagerduty\.com|slack\.com)[^\s)]*/gi, '')
    .replace(BARE_USER_ID, 'our team')
    .replace(/\(\s*(see|via|at)?\s*\)/gi, '');
  for (const o of others) {
    for (const n of [o.name, o.id]) {
      if (n.length < 3) continue;
      t = t.replace(wholeWord(n), 'another customer');
    }
  }
  return t.replace(/[ \t]{2,}/g, ' ').trim();
}
