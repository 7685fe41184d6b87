/**
 * The demo's live log: one readable line per thing that happens, with the
 * reason. The story's own actions are told as they are taken; what Kranz did
 * is read back from the stand-ins' request logs (Slack's `workspace.calls`,
 * PagerDuty's and Statuspage's `requests`, the mails the SMTP server
 * received), so the log shows what Kranz really sent rather than what the
 * demo expected it to send.
 */
import type { Policy } from '../../domain/policy.ts';
import { createReportClock, type ReportClock } from '../../domain/report/clock.ts';
import type { PagerDutyStandIn, RecordedRequest } from '../pagerduty/stand-in.ts';
import type { SlackStandIn } from '../slack/index.ts';
import type { CallRecord } from '../slack/types.ts';
import type { ReceivedMail, SmtpStandIn } from '../smtp/stand-in.ts';
import type { RecordedSpRequest, StatusPageStandIn } from '../statuspage/stand-in.ts';
import type { StoryClock } from './story-clock.ts';
import { describeEvent, type EventWords, type LoggedEvent } from './timeline-lines.ts';

/** What one line of the log says: the action and, when it has its own, the reason. */
interface Told {
  what: string;
  why?: string;
}

/** Methods that only read or prepare; they are part of an action told elsewhere. */
const QUIET_SLACK = new Set([
  'auth.test', 'users.lookupByEmail', 'users.info', 'conversations.history', 'conversations.list', 'conversations.info',
  'conversations.setPurpose', 'conversations.members', 'files.getUploadURLExternal', 'bots.info', 'team.info',
  'chat.getPermalink',
  // Confirmations only the person who acted sees; the driver stops the story on a refusal.
  'chat.postEphemeral',
]);

/** How long quoted message text may run in one line. */
const QUOTE_CHARS = 96;

/** Options for {@link LiveLog}. */
export interface LiveLogOptions {
  out: (line: string) => void;
  clock: StoryClock;
  slack: SlackStandIn;
  pd: PagerDutyStandIn;
  statusPage: StatusPageStandIn;
  smtp: SmtpStandIn;
  policy: Policy;
  /** Incident events stored after `afterSeq`, oldest first. */
  eventsAfter(afterSeq: number): Promise<LoggedEvent[]>;
}

/** Prints the story and what Kranz does, in order, one line each. */
export class LiveLog {
  private readonly stamps: ReportClock;
  private slackSeen = 0;
  private pdSeen = 0;
  private spSeen = 0;
  private mailsSeen = 0;
  /** Message-IDs already told, to say which mail replies to which. */
  private readonly mailIds = new Set<string>();
  private eventSeen = 0;
  private why = '';
  private declared: EventWords['declared'];

  constructor(private readonly o: LiveLogOptions) {
    this.stamps = createReportClock(o.policy.reportTimezone);
  }

  /** A line with no time: headings and the wrap-up. */
  plain(text: string): void {
    this.o.out(text);
  }

  /** A line stamped with the simulated time `ms` (default: now). */
  at(text: string, ms = this.o.clock.nowMs()): void {
    this.o.out(`[${this.stamps.stamp(ms).local} sim] ${text}`);
  }

  /** Something a person in the story does. */
  person(p: { real_name: string; role: string }, action: string): void {
    this.at(`${firstName(p.real_name)} (${p.role}) → ${action}`);
  }

  /** A PagerDuty webhook the story sends to Kranz. */
  pagerDuty(action: string): void {
    this.at(`PagerDuty → Kranz  ${action}`);
  }

  /** The reason for what Kranz does next, until the story gives another one. */
  because(why: string): void {
    this.why = why;
  }

  /** Prints every Slack and PagerDuty call Kranz made, and what it recorded, since the last flush; oldest first. */
  async flush(): Promise<void> {
    const events = await this.o.eventsAfter(this.eventSeen);
    // Only answered requests, and only up to the first one still open, so none is skipped or told twice.
    const pending = this.o.pd.requests.slice(this.pdSeen);
    const open = pending.findIndex((r) => r.status === undefined);
    const requests = open < 0 ? pending : pending.slice(0, open);
    this.pdSeen += requests.length;
    const spPending = this.o.statusPage.requests.slice(this.spSeen);
    const spOpen = spPending.findIndex((r) => r.status === undefined);
    const spRequests = spOpen < 0 ? spPending : spPending.slice(0, spOpen);
    this.spSeen += spRequests.length;
    const mails = this.o.smtp.mails.slice(this.mailsSeen);
    this.mailsSeen += mails.length;
    // Slack calls made after a PagerDuty or Statuspage request still open wait for the next flush: they
    // may be its effect (an invitation follows the on-call lookup), and must not be told before it.
    const openSince = Math.min(
      open < 0 ? Infinity : (pending[open]?.at.getTime() ?? Infinity),
      spOpen < 0 ? Infinity : (spPending[spOpen]?.at.getTime() ?? Infinity),
    );
    const all = this.o.slack.workspace.calls.slice(this.slackSeen);
    const held = all.findIndex((c) => (c.realAt ?? 0) >= openSince);
    const calls = held < 0 ? all : all.slice(0, held);
    this.slackSeen += calls.length;
    // `real` orders lines at the same simulated moment (the clock stands still between story steps)
    // by when they really happened: a cause always before its effect, whatever system each went to.
    const lines: { ms: number; rank: number; real: number; text: string }[] = [];
    for (const c of calls) {
      const t = this.describeSlack(c);
      if (t) lines.push({ ms: c.at, rank: 1, real: c.realAt ?? 0, text: `Kranz → Slack  ${t.what}${failure(c)} (${t.why ?? this.why})` });
    }
    const words = this.words();
    for (const e of events) {
      this.eventSeen = Math.max(this.eventSeen, e.seq);
      if (e.type === 'declared') {
        const x = e.data as { severity: string };
        this.declared = { at: e.occurredAt, severity: x.severity };
        words.declared = this.declared;
      }
      const text = describeEvent(e, words);
      if (text) lines.push({ ms: Date.parse(e.occurredAt), rank: 0, real: 0, text: `Kranz → timeline  ${text} (${this.why})` });
    }
    for (const r of requests) {
      const t = this.describePagerDuty(r);
      if (t) lines.push({ ms: this.o.clock.fromReal(r.at.getTime()), rank: 1, real: r.at.getTime(), text: `Kranz → PagerDuty  ${t.what}${(r.status ?? 0) >= 400 ? `: PagerDuty answered ${r.status}` : ''} (${t.why ?? this.why})` });
    }
    for (const r of spRequests) {
      const t = this.describeStatusPage(r);
      if (t) lines.push({ ms: this.o.clock.fromReal(r.at.getTime()), rank: 1, real: r.at.getTime(), text: `Kranz → Statuspage  ${t.what} (${t.why ?? this.why})` });
    }
    for (const m of mails) {
      const real = m.receivedAt.getTime();
      lines.push({ ms: this.o.clock.fromReal(real), rank: 1, real, text: `Kranz → email  ${this.describeMail(m)} (${this.why})` });
    }
    // At the same moment, what Kranz recorded comes first (it commits before it delivers), then
    // the calls in the order they really arrived.
    lines.sort((a, b) => a.ms - b.ms || a.rank - b.rank || a.real - b.real);
    for (const l of lines) this.at(l.text, l.ms);
  }

  private describeSlack(c: CallRecord): Told | undefined {
    if (QUIET_SLACK.has(c.method)) return undefined;
    const a = c.args;
    const channel = str(a['channel'] ?? a['channel_id']);
    switch (c.method) {
      case 'conversations.create':
        return { what: `created #${str(a['name'])}` };
      case 'conversations.invite': {
        const users = str(a['users']).split(',');
        const what = `invited ${users.map((u) => this.userName(u)).join(' and ')} to ${this.channelName(channel)}`;
        const service = this.onCallFor(users);
        return service ? { what, why: `they are on call for ${service} in PagerDuty` } : { what };
      }
      case 'conversations.setTopic':
        return { what: `set the topic of ${this.channelName(channel)} to "${this.clean(str(a['topic']))}"`, why: 'the topic shows severity, status and commander at a glance' };
      case 'pins.add':
        return { what: `pinned the incident summary in ${this.channelName(channel)}`, why: 'so it stays at the top of the channel' };
      case 'chat.postMessage':
        return this.describePost(channel, str(a['text']), str(a['blocks']));
      case 'chat.update':
        return { what: `updated the ${str(a['text']).startsWith('Checklist for') ? 'checklist' : 'pinned summary'} in ${this.channelName(channel)}` };
      case 'views.open':
        return { what: `opened the status update form for ${this.userName(this.o.slack.workspace.triggers.get(str(a['trigger_id']))?.userId ?? '')}`, why: '/incident update asks for status, a customer-facing summary and when the next update comes' };
      case 'conversations.canvases.create':
      case 'canvases.create':
        return { what: `published the drafted report as the canvas of ${this.channelName(channel)}`, why: 'closing an incident drafts its report' };
      case 'files.completeUploadExternal':
        return { what: `attached the drafted report to ${this.channelName(channel)} as a Markdown file`, why: 'closing an incident drafts its report' };
      case 'conversations.archive':
        return { what: `archived ${this.channelName(channel)}`, why: 'the policy archives incident channels on close' };
      case 'chat.postEphemeral':
        return { what: `told ${this.userName(str(a['user']))} privately in ${this.channelName(channel)}: ${this.quote(str(a['text']))}` };
      default:
        return { what: `called ${c.method}` };
    }
  }

  private describePost(channel: string, text: string, blocks: string): Told {
    const { policy } = this.o;
    const where = this.channelName(channel);
    const customer = policy.customers.find((c) => c.slackChannel === channel);
    const isUpdate = /^INC-\d+ status update \(/.test(text);
    if (isUpdate && customer) return { what: `relayed the status update to ${where}`, why: `${customer.name} is affected, and its channel gets every update` };
    if (isUpdate && channel === policy.stakeholderChannel) return { what: `relayed the status update to ${where}`, why: 'the stakeholder channel gets every update' };
    if (isUpdate) {
      const m = /^INC-\d+ status update \((\w+)\): ([\s\S]*)$/.exec(text);
      return { what: `posted the status update in ${where}${m ? ` (${m[1]}): ${this.quote(m[2] ?? '')}` : ''}` };
    }
    if (channel === policy.announcementsChannel) return { what: `announced it in ${where}: ${this.quote(text)}`, why: 'every public incident is announced there' };
    if (text.startsWith('Checklist for')) {
      const first = firstChecklistItem(blocks);
      return { what: `posted the checklist in ${where}${first ? `; first item: ${this.quote(first)}` : ''}`, why: "customers hear it from us first: the call to their main contact comes before anything else" };
    }
    if (text.startsWith('Incident report drafted')) return { what: `posted the report summary in ${where}`, why: 'closing an incident drafts its report' };
    if (/^INC-\d+: .*\(SEV\d/.test(text)) return { what: `posted the incident summary in ${where}` };
    if (text.startsWith('PagerDuty: ')) return { what: `posted in ${where}: ${this.quote(text.slice('PagerDuty: '.length))}` };
    if (/^[DU]/.test(channel)) return { what: `sent ${this.userName(channel)} a direct message: ${this.quote(text)}` };
    return { what: `posted in ${where}: ${this.quote(text)}` };
  }

  private describePagerDuty(r: RecordedRequest): Told | undefined {
    const body = (r.body ?? {}) as Record<string, Record<string, unknown> | undefined>;
    const pdId = /\/incidents\/([^/]+)/.exec(r.path)?.[1] ?? '';
    const incident = `PagerDuty #${this.o.pd.state.incidents.get(pdId)?.number ?? pdId}`;
    switch (r.route) {
      case 'listOnCalls': {
        const ep = r.query['escalation_policy_ids[]']?.join(', ') ?? '';
        return { what: `asked who is on call for escalation policy ${ep}`, why: 'the on-call responders are invited into the incident channel' };
      }
      case 'createIncidentNote':
        return { what: `added a note to ${incident}: ${this.quote(str(body['note']?.['content']))}`, why: 'status updates are mirrored to PagerDuty as notes' };
      case 'createIncidentStatusUpdate':
        return { what: `published a status update on ${incident}`, why: 'status updates are mirrored to PagerDuty' };
      case 'updateIncident': {
        const status = str(body['incident']?.['status']);
        const what = `marked ${incident} ${status || 'updated'}`;
        return status === 'resolved' ? { what, why: 'resolving in Kranz resolves PagerDuty too: resolve_in_pagerduty is on' } : { what };
      }
      case 'createIncident':
        return { what: `paged ${str(body['incident']?.['title'])}` };
      default:
        // Look-ups (services, users, priorities) serve an action told on its own line.
        return undefined;
    }
  }

  /** A Statuspage call as the page's readers will see its effect; look-ups serve a retry and are not told. */
  private describeStatusPage(r: RecordedSpRequest): Told | undefined {
    const status = r.status ?? 0;
    if (status === 420 || status === 429) return { what: `was asked to slow down (Statuspage answered ${status}); the publication waits and is retried`, why: 'Statuspage allows about one call per second per key' };
    if (r.method === 'GET') return undefined;
    const refused = status >= 400 ? `: Statuspage answered ${status}` : '';
    const i = (r.body as { incident?: { name?: string; status?: string; body?: string; components?: Record<string, string> } } | undefined)?.incident ?? {};
    const components = Object.entries(i.components ?? {})
      .map(([id, s]) => `${this.o.statusPage.state.components.get(id)?.name ?? id} ${s.replace(/_/g, ' ')}`)
      .join(', ');
    const comps = components ? `; ${components}` : '';
    if (r.method === 'POST') {
      return { what: `created the status page incident "${i.name ?? ''}" (${i.status ?? 'investigating'}${comps}): ${this.quote(i.body ?? '')}${refused}`, why: 'the first customer-facing update of a customer-impacting incident opens it' };
    }
    if (i.status === 'resolved') return { what: `resolved the status page incident${comps}${refused}`, why: 'resolving resolves the status page incident and sets its components operational' };
    return { what: `added an update (${i.status ?? 'unchanged'}) to the status page incident${comps}: ${this.quote(i.body ?? '')}${refused}`, why: 'every later customer-facing update becomes an update of the same status page incident' };
  }

  /** A mail the SMTP server received, as its recipient's mail client lists it. */
  private describeMail(m: ReceivedMail): string {
    const replyTo = m.inReplyTo && this.mailIds.has(m.inReplyTo) ? 'in reply to the previous one, so it joins the thread' : 'the first of the thread';
    this.mailIds.add(m.messageId);
    return `emailed ${m.to.join(', ')}: "${m.subject}" (${replyTo})`;
  }

  /** The helpers event descriptions need. */
  private words(): EventWords {
    return {
      policy: this.o.policy,
      person: (id) => this.userName(id),
      quote: (t) => this.quote(t),
      time: (iso) => this.stamps.stamp(Date.parse(iso)).local,
      declared: this.declared,
    };
  }

  /** The PagerDuty service these Slack users are all on call for (matched by email, as Kranz does), if any. */
  private onCallFor(userIds: string[]): string | undefined {
    const { state } = this.o.pd;
    for (const service of state.services.values()) {
      const onCall = userIds.every((id) => {
        const email = this.o.slack.workspace.users.get(id)?.email;
        const pdUser = email ? state.userByEmail(email) : undefined;
        return state.onCalls.some((c) => c.userId === pdUser?.id && c.escalationPolicyId === service.escalationPolicyId);
      });
      if (onCall) return service.name;
    }
    return undefined;
  }

  private userName(id: string): string {
    const u = this.o.slack.workspace.users.get(id);
    return u ? firstName(u.real_name || u.name) : id;
  }

  /** `#inc-1` for incident channels (their full name was told when created), `#name` otherwise. */
  private channelName(id: string): string {
    const name = this.o.slack.workspace.channels.get(id)?.name;
    if (!name) return id;
    return `#${/^(inc-\d+)-/.exec(name)?.[1] ?? name}`;
  }

  /** Slack markup as a person reads it: names for mentions, no emoji codes or bold markers. */
  private clean(text: string): string {
    return text
      .replace(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g, (_m, id: string) => `@${this.userName(id)}`)
      .replace(/<#([CG][A-Z0-9]+)(?:\|([^>]*))?>/g, (_m, id: string, name?: string) => (name ? `#${name}` : this.channelName(id)))
      .replace(/<![^|>]*\|([^>]*)>/g, '$1')
      .replace(/<([^|>]+)\|([^>]+)>/g, '$2')
      .replace(/:[a-z][a-z0-9_+-]*:\s*/g, '')
      .replace(/[*`~]/g, '')
      .replace(/\s+/g, ' ')
      .trim();
  }

  private quote(text: string): string {
    const t = this.clean(text);
    return `"${t.length > QUOTE_CHARS ? `${t.slice(0, QUOTE_CHARS - 1).trimEnd()}…` : t}"`;
  }
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

const firstName = (name: string): string => name.split(' ')[0] ?? name;

function failure(c: CallRecord): string {
  if (c.ok) return '';
  return `: Slack answered "${c.error ?? c.status}"${c.fault ? ' (a fault the stand-in injected)' : ''}`;
}

/** The text of the first item in a checklist message's blocks (sent as a JSON string). */
function firstChecklistItem(blocks: string): string | undefined {
  try {
    const parsed = JSON.parse(blocks) as { text?: { text?: string } }[];
    return parsed[1]?.text?.text?.split('\n')[0];
  } catch {
    return undefined;
  }
}
