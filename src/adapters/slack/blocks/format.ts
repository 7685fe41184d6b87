/** Small Slack formatting helpers shared by the block builders. */
import type { IncidentState } from '../../../domain/incident.ts';
import { md, mention, plain, type Mrkdwn } from '../mrkdwn.ts';

export { slackDate } from '../mrkdwn.ts';

/** Slack block-kit object; kept loose on purpose (Slack validates it). */
export type Block = Record<string, unknown>;

export const user = (id: string | undefined): Mrkdwn => (id ? mention(id) : md`_unassigned_`);

export const STATUS_EMOJI: Record<string, string> = {
  investigating: ':mag:',
  identified: ':bulb:',
  monitoring: ':eyes:',
  resolved: ':white_check_mark:',
  closed: ':lock:',
};

/** `:mag:` for a status; an unknown one has no emoji. */
export const statusEmoji = (status: string): Mrkdwn => plain(STATUS_EMOJI[status] ?? '');

/** `INC-7: <title>`, the title escaped. */
export const title = (s: Pick<IncidentState, 'number' | 'title'>): Mrkdwn => md`INC-${s.number}: ${s.title}`;

/** The channel topic: severity · status · commander (Slack caps topics at 250 chars). */
export function topicText(s: IncidentState): string {
  const commander = s.roles.commander ? md`IC ${mention(s.roles.commander)}` : md`no IC`;
  return md`${s.severity} · ${s.status} · ${commander} · ${s.title}`.slice(250).text;
}

/** A section of mrkdwn (Slack allows 3,000 characters). */
export const section = (text: Mrkdwn): Block => ({ type: 'section', text: mrkdwnObject(text) });
export const context = (text: Mrkdwn): Block => ({ type: 'context', elements: [mrkdwnObject(text)] });
export const divider = (): Block => ({ type: 'divider' });
/** A mrkdwn text object. */
export const mrkdwnObject = (text: Mrkdwn): { type: 'mrkdwn'; text: string } => ({ type: 'mrkdwn', text: text.slice(3000).text });

/** A message: fallback `text` (what notifications show) and blocks, both built from escaped text. */
export function message(text: Mrkdwn, blocks: Block[]): { text: string; blocks: Block[] } {
  return { text: text.slice(3000).text, blocks };
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Replaces lone UTF-16 surrogates (left when a length cut falls inside an
 * emoji) with U+FFFD, in every string of a message. Slack's client cannot
 * encode them, and a message that can never be sent would block its channel.
 */
export function wellFormed<T>(value: T): T {
  if (typeof value === 'string') return value.replace(LONE_SURROGATE, '\uFFFD') as T;
  if (Array.isArray(value)) return value.map((v) => wellFormed(v)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, wellFormed(v)])) as T;
  }
  return value;
}

/** A message as posted: fallback text (notifications, screen readers) and its blocks. */
export interface SlackMessage {
  text: string;
  blocks: Block[];
}
