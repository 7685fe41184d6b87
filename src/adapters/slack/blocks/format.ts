/** Small Slack formatting helpers shared by the block builders. */
import type { IncidentState } from '../../../domain/incident.ts';

/** Slack block-kit object; kept loose on purpose (Slack validates it). */
export type Block = Record<string, unknown>;

/** `<!date^…>` so every reader sees their own local time; UTC as the fallback text. */
export function slackDate(iso: string, format = '{date_short_pretty} {time}'): string {
  const d = new Date(iso);
  const unix = Math.floor(d.getTime() / 1000);
  const fallback = `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `<!date^${unix}^${format}|${fallback}>`;
}

export const user = (id: string | undefined): string => (id ? `<@${id}>` : '_unassigned_');

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export const STATUS_EMOJI: Record<string, string> = {
  investigating: ':mag:',
  identified: ':bulb:',
  monitoring: ':eyes:',
  resolved: ':white_check_mark:',
  closed: ':lock:',
};

export const title = (s: Pick<IncidentState, 'number' | 'title'>): string => `INC-${s.number}: ${s.title}`;

/** The channel topic: severity · status · commander (Slack caps topics at 250 chars). */
export function topicText(s: IncidentState): string {
  const commander = s.roles.commander ? `IC <@${s.roles.commander}>` : 'no IC';
  return `${s.severity} · ${s.status} · ${commander} · ${s.title}`.slice(0, 250);
}

export const section = (text: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text: text.slice(0, 3000) } });
export const context = (text: string): Block => ({ type: 'context', elements: [{ type: 'mrkdwn', text: text.slice(0, 3000) }] });
export const divider = (): Block => ({ type: 'divider' });

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
