/**
 * The words for a customer-facing update that would reach customers with
 * nothing to say: its summary (or title) has none of its writer's words left
 * once what is for the team only is taken out (`no_words` in
 * `domain/customer-updates.ts`). Used by the update form's field errors, its
 * review and `errorText`.
 */
import type { WordlessPart } from '../../../domain/customer-updates.ts';
import type { CustomerTextRemoval } from '../../../domain/report/customer-text.ts';

const REMOVAL_WORDS: Record<CustomerTextRemoval, string> = {
  mention: 'Slack mentions',
  channel: 'Slack channel links',
  slack_link: 'Slack links',
  pagerduty_link: 'PagerDuty links',
  user_id: 'Slack user ids',
  customer_name: "other customers' names",
};

function list(words: readonly string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

const PART_WORDS: Record<WordlessPart['field'], string> = { summary: 'the summary', title: 'the customer-facing title' };

/**
 * Why the parts say nothing to customers, as one sentence without its full stop:
 * "Once Slack channel links and PagerDuty links are taken out, the summary says nothing to customers".
 */
export function wordlessReason(parts: readonly WordlessPart[]): string {
  const removed = [...new Set(parts.flatMap((p) => p.removed))].map((r) => REMOVAL_WORDS[r]);
  const what = parts.map((p) => PART_WORDS[p.field]);
  const says = `${list(what)} ${what.length > 1 ? 'say' : 'says'} nothing to customers`;
  const sentence = removed.length ? `Once ${list(removed)} are taken out, ${says}` : says;
  return sentence.charAt(0).toUpperCase() + sentence.slice(1);
}

/** What to write instead, per part. */
const ASK: Record<WordlessPart['field'], string> = {
  summary: 'Write a sentence customers can read: what they notice and what you are doing.',
  title: 'Name what customers notice, e.g. "Checkout is slow".',
};

/** The update form's field error on the part itself (plain text), keyed by the form's block id. */
export function wordlessFieldErrors(parts: readonly WordlessPart[]): Record<string, string> {
  return Object.fromEntries(parts.map((p) => [p.field === 'summary' ? 'summary' : 'cf_title', `${wordlessReason([p])}. ${ASK[p.field]}`]));
}

/** The review's field error on its tick box, when a ticked review would publish such an update (plain text). */
export function wordlessTickError(parts: readonly WordlessPart[]): string {
  return `${wordlessReason(parts)}. Untick to post in Slack only, or close this and post again with words customers can read.`;
}

/** The review's notice instead of the tick box (plain words; the caller escapes them). */
export function wordlessReviewNotice(parts: readonly WordlessPart[]): string {
  return `${wordlessReason(parts)}, so nothing can be published. Post now to update Slack only; to tell customers, post again with words they can read.`;
}

/** The refusal, when the transition is the one to refuse (plain words; the caller escapes them). */
export function wordlessRefusal(parts: readonly WordlessPart[]): string {
  return `${wordlessReason(parts)}, so nothing was posted. ${parts.map((p) => ASK[p.field]).join(' ')}`;
}
