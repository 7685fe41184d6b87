/**
 * The report's Summary: what happened, how bad, for whom, who responded, and
 * whether we kept the promises policy makes (customer call, update cadence,
 * SLA), each stated with the numbers behind it.
 */
import { formatDuration } from '../duration.ts';
import { ROLES } from '../events.ts';
import { customerName, type RenderContext } from './context.ts';
import { ROLE_LABELS } from './context.ts';
import type { ContactCheck, UpdateGap } from './cadence.ts';
import type { ImpactWindow } from './figures.ts';
import { KEY_TIME_LABELS, viaText } from './key-time-text.ts';
import type { UpdatePromise } from './promises.ts';
import { escapeBlock, escapeInline, link, quote } from './markdown.ts';
import { formatNumber, formatNumberDown, slaImpact } from './sla.ts';

/** Lists longer than this are cut, pointing at the timeline for the rest. */
const MAX_LISTED = 10;
const WARN = '⚠️';

export type { ImpactWindow } from './figures.ts';

/** The impact window: impact start → service restored. */
export function impactWindow(ctx: RenderContext): ImpactWindow {
  return ctx.figures.impact;
}

function capped(items: string[], more: (n: number) => string): string {
  if (items.length <= MAX_LISTED) return items.join('; ');
  return `${items.slice(0, MAX_LISTED).join('; ')}; ${more(items.length - MAX_LISTED)}`;
}

function severityLine(ctx: RenderContext): string {
  const steps = ctx.facts.severities;
  // Policy lists severities from the most to the least severe; unknown keys rank last.
  const rank = (key: string): number => {
    const k = key.trim().toUpperCase();
    const i = ctx.policy.severities.findIndex((s) => s.key.toUpperCase() === k);
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  const label = (key: string): string => {
    const sev = ctx.severity(key);
    return sev ? `**${escapeInline(key)}** (${escapeInline(sev.label)})` : `**${escapeInline(key)}**`;
  };
  const first = steps[0]?.severity ?? ctx.facts.state.severity;
  if (steps.length <= 1) return `- **Severity:** ${label(first)}, unchanged`;
  let highest = first;
  for (const s of steps) if (rank(s.severity) < rank(highest)) highest = s.severity;
  const changes = steps.slice(1).map((s) => {
    const e = s.event;
    const reason = e.type === 'severity_changed' && e.data.reason ? ` (${quote(e.data.reason, 200)})` : '';
    return `${escapeInline(e.type === 'severity_changed' ? e.data.from : '')} → ${escapeInline(s.severity)} at ${ctx.time(s.ms)}${reason}`;
  });
  return `- **Severity:** ${label(highest)} at its highest. Changes: ${capped(changes, (n) => `and ${n} more in the timeline`)}`;
}

function statusLine(ctx: RenderContext): string {
  const t = ctx.facts.times;
  const steps = (['mitigated', 'restored', 'resolved', 'closed'] as const).flatMap((k) => {
    const f = t[k];
    return f ? [`${KEY_TIME_LABELS[k].toLowerCase()} ${ctx.time(f.ms)}`] : [];
  });
  return `- **Status:** ${escapeInline(ctx.facts.state.status)}${steps.length ? ` (${steps.join(', ')})` : ''}`;
}

/** `14:40 → 15:30`, or after reopens `13:00 → 13:30 and 14:30 → 14:35`; an open last window is `from 14:30`. */
function windowsText(w: ImpactWindow, at: (ms: number) => string, utc: boolean): string {
  const parts = w.windows.map((x, i) => {
    if (!w.ongoing || i < w.windows.length - 1) return `${at(x.startMs)} → ${at(x.endMs)}`;
    return utc && w.windows.length === 1 ? at(x.startMs) : `from ${at(x.startMs)}`;
  });
  return parts.length === 1 ? (parts[0] as string) : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

function impactLine(ctx: RenderContext, w: ImpactWindow): string {
  const start = ctx.facts.times.impact_started;
  const assumed = w.startAssumed ? '. Impact start not recorded; the declaration time stands in' : '';
  const startVia = !w.startAssumed && start ? `start: ${viaText(ctx, start)}` : '';
  const when = `${windowsText(w, ctx.time, false)} (${windowsText(w, (ms) => ctx.stamp(ms).utc, true)} UTC)`;
  const reopens = w.windows.length - 1;
  if (w.ongoing) {
    const paused = reopens ? ' in all, not counting the time between each restoration and the reopen after it' : '';
    return `- **Impact:** ${when}, **ongoing**: ${formatDuration(w.durationMs)} so far${paused}, as of the last recorded activity at ${ctx.timeUtc(w.endMs)}${startVia ? ` (${startVia})` : ''}${assumed}`;
  }
  const restored = ctx.facts.times.restored;
  const sources = [startVia, restored ? `end: ${viaText(ctx, restored)}` : ''].filter(Boolean).join('; ');
  const again = reopens === 0 ? '' : reopens === 1 ? ', then from the reopen to service restored again' : `, then from each of the ${reopens} reopens to the next restoration`;
  return `- **Impact:** ${when}, **${formatDuration(w.durationMs)}** from impact start to service restored${again}${sources ? ` (${sources})` : ''}${assumed}`;
}

function responseLine(ctx: RenderContext): string {
  const f = ctx.figures;
  const parts: string[] = [];
  if (f.toAcknowledgeMs !== undefined) parts.push(`acknowledged ${formatDuration(f.toAcknowledgeMs)} after detection`);
  if (f.toMitigateMs !== undefined) parts.push(`mitigated ${formatDuration(f.toMitigateMs)} after impact began`);
  if (f.toRestoreMs !== undefined) parts.push(`service restored ${formatDuration(f.toRestoreMs)} after impact began`);
  return `- **Response:** ${parts.length ? parts.join('; ') : '_not acknowledged yet_'}`;
}

function respondersLines(ctx: RenderContext): string[] {
  const roles = ctx.facts.state.roles;
  const holders = new Set<string>();
  const lines = ['- **Responders:**'];
  for (const role of ROLES) {
    const id = roles[role];
    if (id) holders.add(id);
    // The three roles policy expects are always listed, so a missing one shows.
    if (id || role === 'commander' || role === 'customer_liaison' || role === 'scribe') {
      lines.push(`  - ${ROLE_LABELS[role]}: ${id ? ctx.personFull(id) : '_not assigned_'}`);
    }
  }
  const others = ctx.facts.people.filter((p) => !holders.has(p)).map(ctx.personFull);
  lines.push(`  - Also involved: ${others.length ? capped(others, (n) => `and ${n} more`) : '_no one else recorded_'}`);
  return lines;
}

/** A contact check in the words of the contact line, after its label. */
function contactText(ctx: RenderContext, c: ContactCheck): string {
  const declaredMs = ctx.facts.declaredMs;
  const deadline = c.deadlineMs === undefined ? '' : `the ${formatDuration(c.deadlineMs - declaredMs)} deadline (${ctx.time(c.deadlineMs)})`;
  if (c.contactedMs !== undefined) {
    const head = `${ctx.time(c.contactedMs)}, ${formatDuration(c.contactedMs - declaredMs)} after declaration`;
    if (c.late && c.deadlineMs !== undefined) return `${head}: ${WARN} **${formatDuration(c.contactedMs - c.deadlineMs)} past** ${deadline}`;
    return deadline ? `${head}: within ${deadline}` : head;
  }
  if (!c.required) return 'not recorded (not required at this severity)';
  const missed = c.deadlineMs === undefined ? '' : c.late ? ` ${WARN} **missed** ${deadline}` : ` (due by ${ctx.time(c.deadlineMs)}, ${formatDuration(c.deadlineMs - declaredMs)} after declaration)`;
  return `_Not recorded yet: run \`/incident customer-contacted …\`_${missed}`;
}

/**
 * The customer contact; with several customers attached, every customer's
 * (the last one's first contact, as the metrics state it, or who was never
 * contacted), then each one's own check.
 */
function contactLines(ctx: RenderContext): string[] {
  const label = '- **Customer first contacted:**';
  const each = ctx.figures.contacts;
  const all = ctx.figures.contact;
  if (!each.length) return [`${label} ${contactText(ctx, all)}`];
  const head = all.contactedMs === undefined
    ? `${all.required ? `${WARN} ` : ''}not every customer: no contact recorded with ${uncontacted(ctx)}`
    : `every customer by ${ctx.time(all.contactedMs)}, ${formatDuration(all.contactedMs - ctx.facts.declaredMs)} after declaration`;
  return [`${label} ${head}`, ...each.map((c) => `  - ${customerName(ctx, c.customer)}: ${contactText(ctx, c)}`)];
}

/** The customers never contacted, by name: `Acme Corp, Globex`. */
export function uncontacted(ctx: RenderContext): string {
  return ctx.figures.contacts.filter((c) => c.contactedMs === undefined).map((c) => customerName(ctx, c.customer)).join(', ');
}

function gapText(ctx: RenderContext, g: UpdateGap): string {
  const span = `${g.fromDeclaration ? 'declaration' : ctx.time(g.fromMs)} → ${ctx.time(g.toMs)}`;
  return `${formatDuration(g.toMs - g.fromMs)} (${span})`;
}

function promiseText(ctx: RenderContext, p: UpdatePromise): string {
  const made = p.by ? `promised at ${ctx.time(p.madeMs)}` : 'first update, per the cadence';
  if (p.postedMs !== undefined) return `due ${ctx.time(p.dueMs)} (${made}), posted ${ctx.time(p.postedMs)}, ${formatDuration(p.lateMs ?? 0)} late`;
  return `due ${ctx.time(p.dueMs)} (${made}), not posted: ${formatDuration(p.lateMs ?? 0)} overdue`;
}

function updatesLine(ctx: RenderContext): string[] {
  const f = ctx.figures;
  const n = ctx.facts.updateEvents.length;
  const longest = f.longestGap;
  const gap = longest ? `; longest gap ${gapText(ctx, longest)}` : '';
  const head = n === 0 ? `- **Status updates:** ${WARN} _None sent yet: run \`/incident update\`_` : `- **Status updates:** ${n} sent${gap}`;
  const measured = f.kept + f.broken;
  if (measured === 0) return [head];
  const broken = f.promises.filter((p) => p.outcome === 'broken');
  const lines = [head, `- **Update promises:** ${f.kept} of ${measured} kept${broken.length ? `, ${WARN} ${broken.length} broken` : ''}`];
  for (const p of broken.slice(0, MAX_LISTED)) lines.push(`  - ${promiseText(ctx, p)}`);
  if (broken.length > MAX_LISTED) lines.push(`  - and ${broken.length - MAX_LISTED} more in the timeline`);
  return lines;
}

function slaLines(ctx: RenderContext, w: ImpactWindow): string[] {
  const minutes = ctx.figures.impactMinutes;
  const ids = ctx.facts.state.customers;
  const sofar = w.ongoing ? ' so far' : '';
  if (!ids.length) return ['- **SLA:** _No affected customers recorded, so no SLA impact computed_'];
  const lines = [`- **SLA:** ${formatNumber(minutes, 1)} minutes of impact${sofar}. Counted alone against each customer's SLA period:`];
  for (const id of ids) {
    const c = ctx.customer(id);
    if (!c) {
      lines.push(`  - ${escapeInline(id)}: _no SLA configured_`);
      continue;
    }
    const r = slaImpact(minutes, c.sla, c.serviceCredits);
    const credit = r.creditPercent > 0 ? `**${formatNumber(r.creditPercent, 2)} % service credit**` : 'no service credit';
    const over = r.breached ? `${WARN} ` : '';
    const days = formatNumber(c.sla.periodDays, 2);
    lines.push(
      `  - ${escapeInline(c.name)} (${formatNumber(c.sla.targetPercent, 4)} % over ${days} days): ` +
        `${over}${formatNumber(r.consumedPercent, 1)} % of the ${formatNumber(r.budgetMinutes, 1)}-minute error budget used; ` +
        `${days}-day availability ${formatNumberDown(r.availabilityPercent, 3)} % → ${credit}${sofar}`,
    );
  }
  return lines;
}

function pagerDutyLine(ctx: RenderContext): string {
  const linked = ctx.facts.state.pagerDutyIncidents.map((p) => {
    const label = link(p.number === undefined ? p.id : `#${p.number}`, p.url);
    const extra = [p.number === undefined ? '' : escapeInline(p.id), p.serviceId ? `service ${escapeInline(p.serviceId)}` : ''].filter(Boolean);
    return extra.length ? `${label} (${extra.join(', ')})` : label;
  });
  return `- **PagerDuty:** ${linked.length ? capped(linked, (n) => `and ${n} more`) : '_None linked_'}`;
}

function resolutionLine(ctx: RenderContext): string[] {
  const resolved = ctx.facts.resolved;
  // After a reopen the old resolution no longer holds.
  if (!ctx.facts.times.resolved || !resolved?.data.summary) return [];
  return [`- **Resolution:** ${escapeInline(resolved.data.summary)}`];
}

/** The `## Summary` section, heading included. */
export function renderSummary(ctx: RenderContext): string[] {
  const { state } = ctx.facts;
  const w = impactWindow(ctx);
  const customers = state.customers.map((id) => customerName(ctx, id));
  const lines = ['## Summary', '', `**What happened:** ${escapeInline(state.title)}`];
  const description = escapeBlock(state.description);
  if (description) lines.push('', description);
  lines.push(
    '',
    severityLine(ctx),
    statusLine(ctx),
    impactLine(ctx, w),
    responseLine(ctx),
    ...resolutionLine(ctx),
    `- **Customers affected:** ${customers.length ? customers.join(', ') : '_None recorded_'}`,
    ...respondersLines(ctx),
    ...contactLines(ctx),
    ...updatesLine(ctx),
    ...slaLines(ctx, w),
    pagerDutyLine(ctx),
  );
  return lines;
}
