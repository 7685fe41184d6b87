/**
 * Hostile text and the check that none of it became live in Slack. Slack
 * parses mrkdwn in a message's `text`, in `mrkdwn` text objects and (as a
 * precaution) in topics and purposes; `plain_text` objects are shown as they
 * are. A hostile string that arrives there unescaped would ping a channel,
 * a user group or a person, or show a disguised link.
 */

/** Everything a title, summary, note, PagerDuty title or customer name could try. */
export const HOSTILE = '<!channel> <!here> <!everyone> <!subteam^SEVIL01|@oncall> <@UEVIL01> <#CEVIL01> <https://evil.example/x|click me> & done';

/** Patterns that are live only if the hostile text got through unescaped (Kranz never writes them itself). */
const LIVE: RegExp[] = [/<!channel>/, /<!here>/, /<!everyone>/, /<!subteam\^/, /<@UEVIL/, /<#CEVIL/, /<https?:\/\/evil/];

/** Every string in `value` that Slack would parse as mrkdwn. JSON-encoded `blocks` and `view` arguments are read too. */
export function mrkdwnStrings(value: unknown, key = ''): string[] {
  if (typeof value === 'string') {
    if ((key === 'blocks' || key === 'view' || key === 'attachments') && /^\s*[[{]/.test(value)) {
      try {
        return mrkdwnStrings(JSON.parse(value) as unknown, '');
      } catch {
        return [value];
      }
    }
    return ['text', 'topic', 'purpose'].includes(key) ? [value] : [];
  }
  if (Array.isArray(value)) return value.flatMap((v) => mrkdwnStrings(v));
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (o['type'] === 'plain_text' || o['type'] === 'plain_text_input') return [];
    return Object.entries(o).flatMap(([k, v]) => mrkdwnStrings(v, k));
  }
  return [];
}

/** The mrkdwn strings in `value` where hostile text is live (should be none). */
export function liveHostile(value: unknown): string[] {
  return mrkdwnStrings(value).filter((s) => LIVE.some((re) => re.test(s)));
}
