/**
 * Parses the text of `/incident …` into a subcommand. Pure: the listener
 * decides what to do with it. Anything unrecognised becomes a usage error,
 * which the user sees as an ephemeral message (and nothing is recorded).
 */
import { parseDuration } from '../../domain/duration.ts';
import type { ActionKind } from '../../domain/events.ts';
import { asSlackUserId, type SlackUserId } from '../../domain/ids.ts';

export type Subcommand =
  | { kind: 'help' }
  | { kind: 'declare_modal' }
  | { kind: 'declare'; severity: string; title: string }
  | { kind: 'update_modal' }
  | { kind: 'sev'; severity: string }
  | { kind: 'role'; role: string; userId: SlackUserId }
  | { kind: 'note'; text: string }
  | { kind: 'customer_contacted'; text: string }
  | { kind: 'root_cause'; text: string }
  | { kind: 'action'; actionKind: ActionKind; text: string }
  | { kind: 'resolve'; summary?: string }
  | { kind: 'close' }
  | { kind: 'reopen'; reason?: string }
  | { kind: 'report' }
  | { kind: 'status' }
  | { kind: 'list' }
  | { kind: 'page'; target: { kind: 'service'; name: string } | { kind: 'user'; userId: SlackUserId }; message: string }
  | { kind: 'snooze'; durationMs: number; reminder?: string };

export type ParseResult = { ok: true; command: Subcommand } | { ok: false; message: string };

export const USAGE: [string, string][] = [
  ['declare', 'open the declare form (or `declare <sev> <title>` in one line)'],
  ['update', 'post a status update (status, customer-facing summary, next update)'],
  ['sev <level>', 'change the severity, e.g. `sev SEV1`'],
  ['role <role> @user', 'assign commander, customer-liaison, scribe, communications or subject-expert'],
  ['note <text>', 'add a note to the timeline'],
  ['customer-contacted <who / how / outcome>', "record the call to the customer's main contact"],
  ['root-cause <text>', 'record the root cause'],
  ['action prevent|fail-better <text>', 'add a corrective or preventive action'],
  ['resolve [summary]', 'mark the incident resolved'],
  ['close', 'close it and draft the incident report'],
  ['reopen [reason]', 'reopen a resolved or closed incident'],
  ['report', 'draft the report again now'],
  ['status', 'show a summary, only to you'],
  ['list', 'list open incidents (anywhere)'],
  ['page <service | @user> [message]', 'page a PagerDuty service or person'],
  ['snooze <duration> [reminder]', 'snooze a reminder, e.g. `snooze 30m`'],
  ['help', 'this list'],
];

export function usageText(prefix?: string): string {
  const lines = USAGE.map(([c, d]) => `• \`/incident ${c}\`: ${d}`);
  return [prefix, '*Kranz commands*', ...lines].filter(Boolean).join('\n');
}

const USER = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/;

export function parseIncidentCommand(raw: string): ParseResult {
  const text = raw.trim();
  if (!text) return { ok: true, command: { kind: 'declare_modal' } };
  const [head = '', ...restWords] = text.split(/\s+/);
  const rest = text.slice(head.length).trim();
  const need = (what: string, usage: string): ParseResult => ({ ok: false, message: `\`/incident ${head.toLowerCase()}\` needs ${what}. Usage: \`/incident ${usage}\`` });
  switch (head.toLowerCase()) {
    case 'help':
      return { ok: true, command: { kind: 'help' } };
    case 'declare': {
      if (!rest) return { ok: true, command: { kind: 'declare_modal' } };
      const [sev = '', ...title] = restWords;
      if (!/^sev\d+$/i.test(sev) || title.length === 0) return need('a severity and a title', 'declare SEV2 Checkout is failing');
      return { ok: true, command: { kind: 'declare', severity: sev.toUpperCase(), title: title.join(' ') } };
    }
    case 'update':
      return { ok: true, command: { kind: 'update_modal' } };
    case 'sev':
    case 'severity':
      if (restWords.length !== 1) return need('one severity level', 'sev SEV1');
      return { ok: true, command: { kind: 'sev', severity: rest.toUpperCase() } };
    case 'role': {
      const [role, user, ...extra] = restWords;
      const m = user ? USER.exec(user) : null;
      if (!role || !m?.[1] || extra.length) return need('a role and a @mention', 'role commander @dana');
      return { ok: true, command: { kind: 'role', role, userId: asSlackUserId(m[1]) } };
    }
    case 'note':
      return rest ? { ok: true, command: { kind: 'note', text: rest } } : need('text', 'note Rolled back the deploy');
    case 'customer-contacted':
    case 'contacted':
      return rest ? { ok: true, command: { kind: 'customer_contacted', text: rest } } : need('who, how and the outcome', 'customer-contacted Called Dana at Acme; she confirmed the impact');
    case 'root-cause':
    case 'rootcause':
      return rest ? { ok: true, command: { kind: 'root_cause', text: rest } } : need('text', 'root-cause A config push disabled the connection pool');
    case 'action': {
      const [k = '', ...words] = restWords;
      const kind = k.toLowerCase() === 'prevent' ? 'prevent' : ['fail-better', 'failbetter', 'fail_better'].includes(k.toLowerCase()) ? 'fail_better' : undefined;
      if (!kind || words.length === 0) return need('`prevent` or `fail-better` and a text', 'action prevent Add a canary stage to config pushes');
      return { ok: true, command: { kind: 'action', actionKind: kind, text: words.join(' ') } };
    }
    case 'resolve':
      return { ok: true, command: rest ? { kind: 'resolve', summary: rest } : { kind: 'resolve' } };
    case 'close':
      return rest ? need('nothing after it', 'close') : { ok: true, command: { kind: 'close' } };
    case 'reopen':
      return { ok: true, command: rest ? { kind: 'reopen', reason: rest } : { kind: 'reopen' } };
    case 'report':
      return { ok: true, command: { kind: 'report' } };
    case 'status':
      return { ok: true, command: { kind: 'status' } };
    case 'list':
      return { ok: true, command: { kind: 'list' } };
    case 'page': {
      const [target = '', ...msg] = restWords;
      if (!target) return need('a service or a @person', 'page database-cluster The primary is down');
      const m = USER.exec(target);
      const message = msg.join(' ');
      return { ok: true, command: { kind: 'page', target: m?.[1] ? { kind: 'user', userId: asSlackUserId(m[1]) } : { kind: 'service', name: target }, message } };
    }
    case 'snooze': {
      const [d = '', reminder] = restWords;
      const ms = parseDuration(d);
      if (!ms || restWords.length > 2) return need('a duration such as 15m or 1h', 'snooze 30m');
      if (ms > 24 * 3_600_000) return { ok: false, message: 'A snooze can last at most 24h.' };
      return { ok: true, command: reminder ? { kind: 'snooze', durationMs: ms, reminder } : { kind: 'snooze', durationMs: ms } };
    }
    default:
      return { ok: false, message: usageText(`Unknown subcommand \`${head}\`.`) };
  }
}
