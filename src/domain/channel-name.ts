/**
 * Slack channel names: lowercase letters, digits, `-` and `_`, at most 80
 * characters. A long or exotic title must still give a valid name.
 */
import type { Policy } from './policy.ts';

export const MAX_CHANNEL_NAME = 80;

/** Reduces any text to Slack's channel-name alphabet. */
export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '');
}

/** Fills the template, then trims so the whole name (with room for a suffix) fits. */
export function channelName(policy: Policy, i: { number: number; title: string; severity: string }, declaredAt: Date, suffix?: number): string {
  const date = declaredAt.toISOString().slice(0, 10);
  const filled = policy.channelNameTemplate
    .replaceAll('{number}', String(i.number))
    .replaceAll('{severity}', i.severity)
    .replaceAll('{date}', date)
    .replaceAll('{title}', i.title);
  const tail = suffix && suffix > 1 ? `-${suffix}` : '';
  let name = slugify(filled).slice(0, MAX_CHANNEL_NAME - tail.length).replace(/[-_]+$/g, '');
  if (!name) name = `inc-${i.number}`;
  return `${name}${tail}`;
}
