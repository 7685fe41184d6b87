/**
 * The resolution and recovery timeline: one line per event that matters, in
 * local time with UTC beside it, each ending with its citation so every
 * claim in the report can be traced to the log, Slack or PagerDuty.
 */
import type { IncidentEvent, NoteVia } from '../events.ts';
import { textWithheld } from '../withheld-notes.ts';
import type { MinuteStamp } from './clock.ts';
import type { RenderContext } from './context.ts';
import { customerName, ROLE_LABELS } from './context.ts';
import type { TimelineEntry, TimelineMarker } from './facts.ts';
import { KEY_TIME_LABELS, viaText } from './key-time-text.ts';
import { parseIsoMs } from './iso.ts';
import type { TextSink } from './sink.ts';
import { codeSpan, escapeInline, link, quote, safeUrl } from './markdown.ts';

/** Long pastes would drown the timeline; the citation leads to the full text. */
export const MAX_QUOTE = 500;
const MAX_ROOT_CAUSE_QUOTE = 200;
/** Separates the parts of a timeline line: time, what, who, citation. */
export const SEPARATOR = ' — ';

const VIA: Record<NoteVia, string> = {
  pin: 'pinned',
  reaction: 'flagged with 📌',
  command: 'added with /incident note',
  shortcut: 'added with the message shortcut',
  pagerduty: 'mirrored from PagerDuty',
};

/** Characters of an event id shown when a permalink already makes the citation unique. */
const SHORT_ID = 8;

/**
 * The citation for an event: the Slack permalink when there is one (for a
 * note, the flagged message's), the PagerDuty event id for PagerDuty facts,
 * else the Kranz event id.
 */
export function citation(e: IncidentEvent): string {
  const src = e.source;
  if (src.kind === 'pagerduty') {
    const label = `PagerDuty event ${src.eventId}`;
    return safeUrl(src.url) ? link(label, src.url) : codeSpan(label);
  }
  const permalink = safeUrl(e.type === 'note_added' && e.data.permalink ? e.data.permalink : src.kind === 'slack' ? src.permalink : undefined);
  if (permalink) return `[event ${escapeInline(e.id.slice(0, SHORT_ID))}](${permalink})`;
  return codeSpan(`event ${e.id}`);
}

function slackTsToMs(ts: string | undefined): number | undefined {
  if (!ts || !/^\d{1,12}(\.\d{1,9})?$/.test(ts)) return undefined;
  return Math.floor(Number(ts) * 1000);
}

const words = (s: string): string => escapeInline(s.replace(/[._-]+/g, ' '));

function describe(entry: TimelineEntry, ctx: RenderContext, pdNumbers: Map<string, number>): string {
  const e = entry.event;
  const when = (iso: string): string => {
    const ms = parseIsoMs(iso);
    return Number.isNaN(ms) ? escapeInline(iso) : ctx.time(ms);
  };
  const pd = (id: string): string => {
    const n = pdNumbers.get(id);
    return n === undefined ? escapeInline(id) : `#${n}`;
  };
  if (entry.marker) {
    const f = entry.fact ?? (entry.marker === 'impact_resumed' ? undefined : ctx.facts.times[entry.marker]);
    return `${MARKER_PREFIX}${MARKER_TEXT[entry.marker]}${f ? `: ${viaText(ctx, f)}` : ''}`;
  }
  switch (e.type) {
    case 'declared': {
      const d = e.data;
      const parts = [`Incident declared as ${escapeInline(d.severity)}: ${quote(d.title, MAX_QUOTE)}`];
      if (d.customers.length) parts.push(`customers: ${d.customers.map((c) => customerName(ctx, c)).join(', ')}`);
      if (d.commanderId) parts.push(`commander: ${ctx.person(d.commanderId)}`);
      return parts.join('; ');
    }
    case 'channel_created':
      return `Incident channel #${escapeInline(e.data.channelName)} created`;
    case 'member_joined':
      return `${ctx.person(e.data.userId)} joined`;
    case 'severity_changed':
      return `Severity changed ${escapeInline(e.data.from)} → ${escapeInline(e.data.to)}${e.data.reason ? `: ${quote(e.data.reason, MAX_QUOTE)}` : ''}`;
    case 'status_changed':
      return `Status changed ${escapeInline(e.data.from)} → ${escapeInline(e.data.to)}`;
    case 'role_assigned':
      return `${ctx.person(e.data.userId)} is now ${(ROLE_LABELS[e.data.role] ?? words(e.data.role)).toLowerCase()}${e.data.previous ? ` (was ${ctx.person(e.data.previous)})` : ''}`;
    case 'checklist_item_done':
      return `Checklist item done: ${quote(e.data.title, MAX_QUOTE)}`;
    case 'status_update_posted': {
      const relayed = e.data.relayedTo.length ? `; relayed to ${e.data.relayedTo.map(ctx.channel).join(', ')}` : '';
      return `Status update (${escapeInline(e.data.status)}): ${quote(e.data.summary, MAX_QUOTE)}; next update due ${when(e.data.nextUpdateAt)}${relayed}`;
    }
    case 'customer_update_published':
      return e.data.channel === 'statuspage'
        ? `Status page ${e.data.action === 'create' ? 'incident created' : e.data.action === 'resolve' ? 'incident resolved' : 'updated'}${e.data.url ? `: ${link(e.data.url, e.data.url)}` : ''}`
        : `${e.data.report ? 'Customer report' : 'Status update'} emailed to ${escapeInline(e.data.to ?? 'a customer contact')}`;
    case 'customer_update_failed':
      return `${e.data.channel === 'statuspage' ? 'Status page' : 'Customer email'} refused${e.data.to ? ` (${escapeInline(e.data.to)})` : ''}: ${quote(e.data.reason, MAX_QUOTE)}`;
    case 'customer_contacted': {
      const who = e.data.customer ? ` (${customerName(ctx, e.data.customer)})` : '';
      // A ticked call item says no more than that; its title (the phone number) is on the checklist.
      if (e.data.via === 'checklist') return `Customer contacted${who}: their call ticked on the checklist`;
      return `Customer contacted${who}: ${quote(e.data.details, MAX_QUOTE)}`;
    }
    case 'note_added': {
      const sent = slackTsToMs(e.data.messageTs);
      const head = `Note (${VIA[e.data.via] ?? escapeInline(e.data.via)}${sent === undefined ? '' : `, message sent ${ctx.time(sent)}`})`;
      const fate = entry.fate;
      // A deleted message may have been deleted for a reason (a secret, a wrong name): the log keeps it, the report does not.
      if (textWithheld(e, fate)) return `${head}: _text withheld, the message was deleted later_`;
      return `${head}: ${quote(e.data.text, MAX_QUOTE)}${fate?.edits ? ' _(edited later)_' : ''}`;
    }
    case 'message_edited': {
      if (textWithheld(e, entry.fate)) return 'Note edited (text withheld, the message was deleted later)';
      return `Note edited: was ${quote(e.data.previousText, MAX_QUOTE)}; now ${quote(e.data.text, MAX_QUOTE)}`;
    }
    case 'message_deleted':
      return 'Note deleted (its text is withheld from this report)';
    case 'pagerduty_linked': {
      const label = e.data.pdIncidentNumber === undefined ? e.data.pdIncidentId : `#${e.data.pdIncidentNumber}`;
      return `PagerDuty incident ${link(label, e.data.url)} linked${e.data.serviceId ? ` (service ${escapeInline(e.data.serviceId)})` : ''}`;
    }
    case 'pagerduty_unlinked': {
      const label = e.data.pdIncidentNumber === undefined ? e.data.pdIncidentId : `#${e.data.pdIncidentNumber}`;
      // Named as its link was named (no URL: the link above has it).
      return `PagerDuty incident ${link(label, undefined)} unlinked: its later events are not recorded here`;
    }
    case 'pagerduty_event': {
      const kind = e.data.eventType.startsWith('incident.') ? e.data.eventType.slice('incident.'.length) : e.data.eventType;
      return `PagerDuty ${pd(e.data.pdIncidentId)} ${words(kind)}: ${quote(e.data.summary, MAX_QUOTE)}`;
    }
    case 'reminder_sent': {
      const r = e.data.recipient;
      const to = /^[UW][A-Z0-9]+$/.test(r) ? ctx.person(r) : ctx.channel(r);
      return `Reminder sent to ${to}: ${words(e.data.reminder)} (level ${e.data.level}, due ${when(e.data.dueAt)})`;
    }
    case 'root_cause_recorded':
      return `Root cause recorded: ${quote(e.data.text, MAX_ROOT_CAUSE_QUOTE)}`;
    case 'action_item_added':
      return `Action added (${e.data.kind === 'prevent' ? 'prevent a recurrence' : 'fail better'}): ${quote(e.data.text, MAX_QUOTE)}`;
    case 'resolved':
      return `Resolved${e.data.summary ? `: ${quote(e.data.summary, MAX_QUOTE)}` : ''}`;
    case 'closed':
      return 'Closed';
    case 'reopened':
      return `Reopened${e.data.reason ? `: ${quote(e.data.reason, MAX_QUOTE)}` : ''}`;
    case 'report_drafted':
      return 'Report drafted';
    case 'acknowledged':
      return 'Acknowledged in Slack';
    case 'mitigated':
      return `Impact declared mitigated as of ${ctx.time(entry.ms)}`;
    case 'time_corrected': {
      const label = KEY_TIME_LABELS[e.data.key] ?? words(e.data.key);
      const was = e.data.previous ? `, was ${when(e.data.previous)}` : '';
      return `Time corrected: ${label.toLowerCase()} ${when(e.data.at)}${was}${e.data.reason ? ` (${quote(e.data.reason, MAX_QUOTE)})` : ''}`;
    }
    case 'customer_attached':
      return `Customer attached: ${customerName(ctx, e.data.customer)}`;
    case 'customer_detached':
      return `Customer removed: ${customerName(ctx, e.data.customer)}`;
    case 'customer_report_drafted':
      return `Customer report drafted for ${customerName(ctx, e.data.customer)}, posted for review`;
    case 'customer_report_edited': {
      const whose = e.data.customer ? ` for ${customerName(ctx, e.data.customer)}` : '';
      return `Customer report${whose}: ${words(e.data.part)} ${e.data.withheld ? 'withheld' : 'edited'}`;
    }
    case 'customer_report_sent':
      return `Customer report sent to ${customerName(ctx, e.data.customer)}`;
  }
}

/** Key-time lines start with this, so a reader (or a test) finds every figure's source in the timeline. */
export const MARKER_PREFIX = '⏱ ';
const MARKER_TEXT: Record<TimelineMarker, string> = {
  impact_started: 'Customer impact began',
  detected: 'Problem detected',
  declared: 'Declared',
  acknowledged: 'Acknowledged',
  mitigated: 'Mitigated',
  restored: 'Service restored',
  impact_resumed: 'Customer impact resumed: the incident was reopened',
};

function who(entry: TimelineEntry, ctx: RenderContext): string {
  const e = entry.event;
  if (entry.marker) return `reported by ${ctx.actor(e.actor)}`;
  // A flagged message is its author's words; whoever flagged it is named second.
  if (e.type === 'note_added' && e.data.authorId && !(e.actor.kind === 'user' && e.actor.userId === e.data.authorId)) {
    return `${ctx.person(e.data.authorId)}, flagged by ${ctx.actor(e.actor)}`;
  }
  return ctx.actor(e.actor);
}

/**
 * Writes the timeline (no section heading) to the sink, one line per entry,
 * grouped under one `###` heading per local day. Lines go out as pieces: 100k
 * lines would otherwise each be built whole and then copied again.
 */
export function renderTimeline(ctx: RenderContext, sink: TextSink): void {
  const pdNumbers = new Map<string, number>();
  for (const p of ctx.facts.state.pagerDutyIncidents) if (p.number !== undefined) pdNumbers.set(p.id, p.number);
  const out = sink.pieces;
  // `- **15:02** (13:02 UTC) — ` once per minute rather than six pieces per line.
  const prefixes = new Map<MinuteStamp, string>();
  let day = '';
  for (const entry of ctx.facts.entries) {
    const s = ctx.stamp(entry.ms);
    if (s.dateKey !== day) {
      out.push(day ? '\n### ' : '### ', s.dateLabel, '\n\n');
      day = s.dateKey;
    }
    let prefix = prefixes.get(s);
    if (prefix === undefined) {
      prefix = `- **${s.local}** (${s.utc} UTC)${SEPARATOR}`;
      prefixes.set(s, prefix);
    }
    out.push(prefix, describe(entry, ctx, pdNumbers), SEPARATOR, who(entry, ctx), SEPARATOR, citation(entry.event), '\n');
    sink.endLine();
  }
}
