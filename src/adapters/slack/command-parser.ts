/**
 * Parses the text of `/incident …` into a subcommand. Pure: the listener
 * decides what to do with it. Anything unrecognised becomes a usage error,
 * which the user sees as an ephemeral message (and nothing is recorded).
 */
import { parseDuration } from '../../domain/duration.ts';
import { CUSTOMER_REPORT_PARTS, KEY_TIMES, type ActionKind, type CustomerReportPart, type KeyTime } from '../../domain/events.ts';
import { asPdIncidentId, asSlackUserId, type PdIncidentId, type SlackUserId } from '../../domain/ids.ts';
import { joinMd, md, type Mrkdwn } from './mrkdwn.ts';

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
  | { kind: 'link_pagerduty'; pdIncidentId: PdIncidentId }
  | { kind: 'unlink_pagerduty'; pdIncidentId: PdIncidentId }
  | { kind: 'snooze'; durationMs: number; reminder?: string }
  | { kind: 'customer_attach'; customer: string }
  | { kind: 'customer_detach'; customer: string }
  | { kind: 'acknowledge' }
  | { kind: 'mitigated'; at?: string }
  | { kind: 'times' }
  | { kind: 'correct_time'; key: KeyTime; at: string; reason?: string }
  | { kind: 'customer_report_edit'; customer?: string; part: CustomerReportPart; text?: string; withheld: boolean };
export type ParseResult = { ok: true; command: Subcommand } | { ok: false; message: Mrkdwn };

export const USAGE: [string, string][] = [
  ['declare', 'open the declare form (or `declare <sev> <title>` in one line)'],
  ['update', 'post a status update (status, customer-facing summary, next update)'],
  ['sev <level>', 'change the severity, e.g. `sev SEV1`'],
  ['role <role> @user', 'assign commander, customer-liaison, scribe, communications or subject-expert'],
  ['note <text>', 'add a note to the timeline'],
  ['customer-contacted [customer:] <who / how / outcome>', "record the call to the customer's main contact"],
  ['root-cause <text>', 'record the root cause'],
  ['action prevent|fail-better <text>', 'add a corrective or preventive action'],
  ['customer <id or name>', 'attach an affected customer (`customer remove <id>` detaches)'],
  ['acknowledge', 'acknowledge the incident (PagerDuty acks count too)'],
  ['mitigated [HH:MM]', 'record that the impact is mitigated (now, or at a time)'],
  ['times [key HH:MM [reason]]', 'open the form of the key times the report uses (each with its source) to correct them, or correct one in line'],
  ['customer-report <customer|all> edit|withhold <part> [text]', 'edit or withhold summary, updates, root-cause or measures'],
  ['resolve [summary]', 'mark the incident resolved'],
  ['close', 'close it and draft the incident report'],
  ['reopen [reason]', 'reopen a resolved or closed incident'],
  ['report', 'draft the report again now'],
  ['status', 'show a summary, only to you'],
  ['list', 'list open incidents (anywhere)'],
  ['page <service | @user> [message]', 'page a PagerDuty service or person'],
  ['link <PagerDuty incident id or URL>', 'link a PagerDuty incident: its events show on the timeline, its on-call responders are invited here, `page @user` adds responders to it'],
  ['unlink <PagerDuty incident id or URL>', 'undo a link (one made by hand or by the page that opened the incident): its later events stay off this incident'],
  ['snooze <duration> [reminder]', 'snooze a reminder, e.g. `snooze 30m`'],
  ['help', 'this list'],
];

/** The command list; usage lines are text (`<level>` is a placeholder, not a link), backticks are Kranz's. */
export function usageText(prefix?: Mrkdwn): Mrkdwn {
  const lines = USAGE.map(([c, d]) => md`• \`/incident ${c}\`: ${joinMd(d.split('`').map((part, i) => (i % 2 ? md`\`${part}\`` : md`${part}`)))}`);
  return joinMd([...(prefix ? [prefix] : []), md`*Kranz commands*`, ...lines], '\n');
}

const USER = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/;

/** A PagerDuty incident id (`PABC123`, `Q2K9ZL4RTS`): a letter, then letters and digits. */
const PD_INCIDENT_ID = /^[A-Z][A-Z0-9]{3,31}$/;
/** Slack's escaped link (`should_escape`): `<url>` or `<url|label>` (not a mention: `<@U…>`, `<#C…>`, `<!here>`). */
const SLACK_LINK = /^<([^@#!|>][^|>]*)(?:\|[^>]*)?>$/;

/**
 * The PagerDuty incident a word names: its id (case does not matter: PagerDuty's are capitals), or its
 * web URL on a PagerDuty host (`https://acme.pagerduty.com/incidents/PABC123`, also with a path or query
 * after the id, an `eu.` region, or no scheme), as typed or as Slack escapes a link.
 */
export function pagerDutyIncidentIdIn(word: string): PdIncidentId | undefined {
  const text = SLACK_LINK.exec(word)?.[1] ?? word;
  if (!text.includes('/')) {
    const id = text.toUpperCase();
    return PD_INCIDENT_ID.test(id) ? asPdIncidentId(id) : undefined;
  }
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`);
  } catch {
    return undefined;
  }
  const host = url.hostname.toLowerCase();
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || !(host === 'pagerduty.com' || host.endsWith('.pagerduty.com'))) return undefined;
  const id = /^\/incidents\/([A-Za-z0-9]+)(?:\/.*)?$/.exec(url.pathname)?.[1]?.toUpperCase();
  return id && PD_INCIDENT_ID.test(id) ? asPdIncidentId(id) : undefined;
}

/** The refusal of a word that names no PagerDuty incident; a number gets told it is the number, not the id. */
function notAPagerDutyIncident(word: string, verb: 'link' | 'unlink'): Mrkdwn {
  const shown = SLACK_LINK.exec(word)?.[1] ?? word;
  const number = /^#?\d+$/.test(shown) ? md` That looks like the incident's number; Kranz needs its id.` : md``;
  return md`\`${shown}\` is not a PagerDuty incident id or URL.${number} Give the id (the last part of the incident's URL in PagerDuty) or the URL, e.g. \`/incident ${verb} PABC123\` or \`/incident ${verb} https://acme.pagerduty.com/incidents/PABC123\`.`;
}

/** `link` and `unlink`: exactly one PagerDuty incident id or URL. */
function pagerDutyIncidentCommand(words: readonly string[], verb: 'link' | 'unlink', need: (what: string, usage: string) => ParseResult): ParseResult {
  const [word = '', ...extra] = words;
  if (!word || extra.length) return need('one PagerDuty incident id or URL', `${verb} PABC123`);
  const pdIncidentId = pagerDutyIncidentIdIn(word);
  if (!pdIncidentId) return { ok: false, message: notAPagerDutyIncident(word, verb) };
  return { ok: true, command: { kind: verb === 'link' ? 'link_pagerduty' : 'unlink_pagerduty', pdIncidentId } };
}

export function parseIncidentCommand(raw: string): ParseResult {
  const text = raw.trim();
  if (!text) return { ok: true, command: { kind: 'declare_modal' } };
  const [head = '', ...restWords] = text.split(/\s+/);
  const rest = text.slice(head.length).trim();
  const need = (what: string, usage: string): ParseResult => ({ ok: false, message: md`\`/incident ${head.toLowerCase()}\` needs ${what}. Usage: \`/incident ${usage}\`` });
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
    case 'link':
    case 'link-pagerduty':
      return pagerDutyIncidentCommand(restWords, 'link', need);
    case 'unlink':
    case 'unlink-pagerduty':
      return pagerDutyIncidentCommand(restWords, 'unlink', need);
    case 'snooze': {
      const [d = '', reminder] = restWords;
      const ms = parseDuration(d);
      if (!ms || restWords.length > 2) return need('a duration such as 15m or 1h', 'snooze 30m');
      if (ms > 24 * 3_600_000) return { ok: false, message: md`A snooze can last at most 24h.` };
      return { ok: true, command: reminder ? { kind: 'snooze', durationMs: ms, reminder } : { kind: 'snooze', durationMs: ms } };
    }
    case 'customer': {
      if (!rest) return need('a customer id or name', 'customer acme');
      const [first = '', ...more] = restWords;
      if (first.toLowerCase() === 'remove') {
        return more.length ? { ok: true, command: { kind: 'customer_detach', customer: more.join(' ') } } : need('the customer to remove', 'customer remove acme');
      }
      return { ok: true, command: { kind: 'customer_attach', customer: rest } };
    }
    case 'acknowledge':
    case 'ack':
      return rest ? need('nothing after it', 'acknowledge') : { ok: true, command: { kind: 'acknowledge' } };
    case 'mitigated':
      return { ok: true, command: rest ? { kind: 'mitigated', at: rest } : { kind: 'mitigated' } };
    case 'times': {
      if (!rest) return { ok: true, command: { kind: 'times' } };
      const [k = '', at = '', ...why] = restWords;
      const key = k.toLowerCase().replace(/-/g, '_');
      if (!(KEY_TIMES as readonly string[]).includes(key) || !at) {
        return need(`one of ${KEY_TIMES.map((x) => x.replace(/_/g, '-')).join(', ')} and a time`, 'times restored 14:28 PagerDuty resolved late');
      }
      const reason = why.join(' ');
      return { ok: true, command: { kind: 'correct_time', key: key as KeyTime, at, ...(reason ? { reason } : {}) } };
    }
    case 'customer-report': {
      const [who = '', verb = '', part = '', ...text] = restWords;
      const p = part.toLowerCase().replace(/-/g, '_');
      const v = verb.toLowerCase();
      if (!who || !['edit', 'withhold'].includes(v) || !(CUSTOMER_REPORT_PARTS as readonly string[]).includes(p) || (v === 'edit' && text.length === 0)) {
        return need('a customer (or all), edit or withhold, a part and (for edit) the text', 'customer-report acme edit summary Card payments failed for some shoppers');
      }
      const body = text.join(' ');
      return { ok: true, command: { kind: 'customer_report_edit', ...(who.toLowerCase() === 'all' ? {} : { customer: who }), part: p as CustomerReportPart, withheld: v === 'withhold', ...(body ? { text: body } : {}) } };
    }
    default:
      return { ok: false, message: usageText(md`Unknown subcommand \`${head}\`.`) };
  }
}
