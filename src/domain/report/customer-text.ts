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
  return clean(text, others, nameOf, false, new Set());
}

/** What the cleaning takes out of a text or puts words of its own in place of. */
export type CustomerTextRemoval = 'mention' | 'channel' | 'slack_link' | 'pagerduty_link' | 'user_id' | 'customer_name';

/** Free text as a customer gets it, and whether it still says anything. */
export interface CustomerText {
  /** The cleaned text, as `cleanForCustomer` gives it. */
  text: string;
  /**
   * Whether the writer's own words say anything once cleaned: a letter or a
   * digit (any script) is left outside what the cleaning put in ("our team",
   * "our incident channel", "another customer", a person's name) and outside
   * the words that only point elsewhere ("see", "and", "in", …: `POINTER_WORDS`).
   * "see <#C1|inc-7> and <PagerDuty link>" becomes "see our incident channel and",
   * which tells a customer nothing: no words.
   */
  hasWords: boolean;
  /** What was taken out or replaced, in the order of `CustomerTextRemoval`, each once. */
  removed: CustomerTextRemoval[];
}

/**
 * Words that only join or point at something else. Left alone around what the
 * cleaning took out they say nothing to a customer ("see … and …"), so they
 * do not count as words of the text's own. Kranz writes to customers in English.
 */
const POINTER_WORDS = new Set([
  'a', 'an', 'the', 'and', 'or', 'to', 'of', 'in', 'on', 'at', 'by', 'for', 'from', 'with', 'via', 'also', 'please', 'pls',
  'see', 'cf', 'cc', 'fyi', 'check', 'here', 'there', 'link', 'links', 'details', 'info', 'more',
]);

const REMOVAL_ORDER: readonly CustomerTextRemoval[] = ['mention', 'channel', 'slack_link', 'pagerduty_link', 'user_id', 'customer_name'];

/** `cleanForCustomer`'s text, with what it removed and whether the writer's own words are left. */
export function customerText(text: string, others: readonly CustomerPolicy[], nameOf: (userId: string) => string | undefined = () => undefined): CustomerText {
  const seen = new Set<CustomerTextRemoval>();
  const cleaned = clean(text, others, nameOf, false, seen);
  // The same cleaning with nothing put in place of what it takes out: what is left is the writer's.
  const own = clean(text, others, nameOf, true, new Set())
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w && !POINTER_WORDS.has(w.toLowerCase()));
  return { text: cleaned, hasWords: own.length > 0, removed: REMOVAL_ORDER.filter((r) => seen.has(r)) };
}

/**
 * The cleaning. `bare` puts nothing in place of what it takes out (for
 * `customerText`'s word test); `seen` collects what it took out.
 */
function clean(text: string, others: readonly CustomerPolicy[], nameOf: (userId: string) => string | undefined, bare: boolean, seen: Set<CustomerTextRemoval>): string {
  const instead = (what: CustomerTextRemoval, words: string): string => {
    seen.add(what);
    return bare ? '' : words;
  };
  let t = text
    .replace(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g, (_m, id: string) => instead('mention', nameOf(id) || 'our team'))
    .replace(/<#C[A-Z0-9]+(?:\|([^>]*))?>/g, () => instead('channel', 'our incident channel'))
    .replace(/<(https?:\/\/[^|>]+)\|([^>]*)>/g, '$2')
    .replace(/<(https?:\/\/[^>]+)>/g, '$1')
    .replace(/https?:\/\/[^\s)]*(pagerduty\.com|slack\.com)[^\s)]*/gi, (_m, host: string) => instead(host.toLowerCase() === 'slack.com' ? 'slack_link' : 'pagerduty_link', ''))
    .replace(BARE_USER_ID, () => instead('user_id', 'our team'))
    .replace(/\(\s*(see|via|at)?\s*\)/gi, '');
  for (const o of others) {
    for (const n of [o.name, o.id]) {
      if (n.length < 3) continue;
      t = t.replace(wholeWord(n), () => instead('customer_name', 'another customer'));
    }
  }
  return t.replace(/[ \t]{2,}/g, ' ').trim();
}
