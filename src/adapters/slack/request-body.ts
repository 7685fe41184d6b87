/**
 * What the receiver reads from a Slack request body before it stores it: the
 * parsed body, the bytes to archive, the key that makes a redelivery the same
 * request, and the conversation it belongs to. Pure; no I/O.
 */
import { createHash } from 'node:crypto';
import { cleanStrings, parseJsonClean } from '../../lib/clean-text.ts';

export type Body = Record<string, unknown> & { type?: string; event_id?: string; trigger_id?: string; team_id?: string; command?: string; payload?: string; view?: { id?: string } };

/** The Slack conversation a request belongs to, when it names one. */
export function conversationOf(body: Body): string | undefined {
  const b = body as Record<string, any>;
  const fromMeta = (): string | undefined => {
    try {
      return (JSON.parse(String(b['view']?.private_metadata ?? '')) as { channelId?: string }).channelId;
    } catch {
      return undefined;
    }
  };
  const id = b['channel_id'] ?? b['event']?.channel ?? b['event']?.item?.channel ?? b['event']?.channel_id ?? b['channel']?.id ?? b['container']?.channel_id ?? fromMeta();
  return typeof id === 'string' && id ? id : undefined;
}

/**
 * The parsed request, every string cleaned of what PostgreSQL cannot store
 * (NUL, lone surrogates; see lib/clean-text.ts), so a command holding one
 * applies instead of failing every attempt.
 */
export function parseBody(raw: string, contentType: string): Body | undefined {
  try {
    if (contentType.includes('application/json')) return parseJsonClean(raw) as Body;
    const form = Object.fromEntries(new URLSearchParams(raw)) as Record<string, string>;
    if (typeof form['payload'] === 'string') return parseJsonClean(form['payload']) as Body;
    return cleanStrings(form as Body);
  } catch {
    return undefined;
  }
}

/**
 * The raw body as archived: Slack's legacy verification `token` (a shared
 * secret, superseded by the signature) is dropped before anything is
 * stored; everything else is kept byte for byte.
 */
export function storedBody(raw: string, body: Body): string {
  if (typeof body['token'] !== 'string') return raw;
  try {
    if (raw.trimStart().startsWith('{')) {
      const json = JSON.parse(raw) as Record<string, unknown>;
      delete json['token'];
      return JSON.stringify(json);
    }
    const form = new URLSearchParams(raw);
    if (form.has('token')) {
      form.delete('token');
      return form.toString();
    }
    const payload = form.get('payload');
    if (payload !== null) {
      const json = JSON.parse(payload) as Record<string, unknown>;
      delete json['token'];
      form.set('payload', JSON.stringify(json));
      return form.toString();
    }
  } catch {
    // Unparseable bodies carry no token Kranz could find either.
  }
  return raw;
}

/** A slash command's key: its stored request's dedupe key, and the key of the command it carries. */
export function slashCommandKey(teamId: string | undefined, triggerId: string): string {
  return `slack:cmd:${teamId ?? ''}:${triggerId}`;
}

/** The same request delivered twice maps to the same key. */
export function dedupeKey(body: Body, raw: string): string {
  if (body.event_id) return `slack:event:${body.event_id}`;
  if (body.command && body.trigger_id) return slashCommandKey(body.team_id, body.trigger_id);
  if (body.trigger_id) return `slack:interaction:${body.type ?? ''}:${body.trigger_id}`;
  return `slack:raw:${createHash('sha256').update(raw).digest('hex')}`;
}
