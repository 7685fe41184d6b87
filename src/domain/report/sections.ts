/**
 * The report's closing sections: root cause, corrective and preventive
 * measures, and the response metrics table.
 */
import { formatDuration } from '../duration.ts';
import { KEY_TIMES, type IncidentEventOf } from '../events.ts';
import { KEY_TIME_LABELS, viaText } from './key-time-text.ts';
import type { RenderContext } from './context.ts';
import { escapeBlock, escapeInline } from './markdown.ts';
import { customerName } from './context.ts';
import { impactWindow, uncontacted } from './summary.ts';
import { citation } from './timeline.ts';

/** Placeholders name the command that fills the gap, so the report tells the reader what to do. */
export const PLACEHOLDERS = {
  rootCause: '_Not recorded yet: run `/incident root-cause …`_',
  prevent: '_None recorded yet: run `/incident action prevent …`_',
  failBetter: '_None recorded yet: run `/incident action fail-better …`_',
} as const;

/** `## Root cause`: the latest recorded text, attributed and cited. */
export function renderRootCause(ctx: RenderContext): string[] {
  const e = ctx.facts.rootCause;
  const text = e ? escapeBlock(e.data.text) : '';
  if (!e || !text) return ['## Root cause', '', PLACEHOLDERS.rootCause];
  const revisions = ctx.facts.rootCauseRevisions;
  const revised = revisions > 1 ? `; revised ${revisions - 1} ${revisions === 2 ? 'time' : 'times'}, earlier versions are in the timeline` : '';
  const ms = Date.parse(e.occurredAt);
  const when = Number.isNaN(ms) ? '' : ` at ${ctx.timeUtc(ms)}`;
  return ['## Root cause', '', text, '', `_Recorded by ${ctx.actor(e.actor)}${when}${revised}_ (${citation(e)})`];
}

function actionLines(ctx: RenderContext, items: IncidentEventOf<'action_item_added'>[], placeholder: string): string[] {
  if (!items.length) return [placeholder];
  return items.map((e) => {
    const ms = Date.parse(e.occurredAt);
    const when = Number.isNaN(ms) ? '' : `, ${ctx.time(ms)}`;
    return `- ${escapeInline(e.data.text)} _(${ctx.actor(e.actor)}${when})_`;
  });
}

/** `## Corrective and preventive measures` with its two sub-lists. */
export function renderMeasures(ctx: RenderContext): string[] {
  const prevent = ctx.facts.actions.filter((a) => a.data.kind === 'prevent');
  const failBetter = ctx.facts.actions.filter((a) => a.data.kind !== 'prevent');
  return [
    '## Corrective and preventive measures',
    '',
    '### Prevent a recurrence',
    '',
    ...actionLines(ctx, prevent, PLACEHOLDERS.prevent),
    '',
    '### Fail better',
    '',
    ...actionLines(ctx, failBetter, PLACEHOLDERS.failBetter),
  ];
}

/** `## Metrics`: every key time, from impact start and from declaration, with where it came from. */
export function renderMetrics(ctx: RenderContext): string[] {
  const { declaredMs } = ctx.facts;
  const w = impactWindow(ctx);
  const t = ctx.facts.times;
  const since = (from: number, to: number | undefined): string => {
    if (to === undefined) return '—';
    return to < from ? `${formatDuration(from - to)} before` : formatDuration(to - from);
  };
  const f = ctx.figures;
  const head: string[] = [];
  const again = w.windows.length > 1 ? ', and reopened → restored again' : '';
  head.push(`Impact: **${formatDuration(w.durationMs)}**${w.ongoing ? ' so far' : ''} (impact start → service restored${again}).`);
  if (f.toAcknowledgeMs !== undefined) head.push(`Time to acknowledge: **${formatDuration(f.toAcknowledgeMs)}** (detected → acknowledged).`);
  if (f.toMitigateMs !== undefined) head.push(`Time to mitigate: **${formatDuration(f.toMitigateMs)}** (impact start → mitigated).`);
  if (f.toRestoreMs !== undefined) head.push(`Time to restore: **${formatDuration(f.toRestoreMs)}** (impact start → service restored).`);
  return [
    '## Metrics',
    '',
    head.join(' '),
    '',
    `| Measure | Reached at | From impact start (${ctx.time(w.startMs)}) | From declaration (${ctx.time(declaredMs)}) | Source |`,
    '| --- | --- | --- | --- | --- |',
    ...KEY_TIMES.map((k) => {
      if (k === 'customer_contacted' && f.contacts.length) return everyCustomerRow(ctx, (ms) => `${since(w.startMs, ms)} | ${since(declaredMs, ms)}`);
      const fact = t[k];
      const ms = fact?.ms;
      return `| ${KEY_TIME_LABELS[k]} | ${ms === undefined ? '—' : ctx.time(ms)} | ${since(w.startMs, ms)} | ${since(declaredMs, ms)} | ${fact ? viaText(ctx, fact) : '_not recorded_'} |`;
    }),
  ];
}

/**
 * With several customers attached, the contact row is every customer's: the
 * last customer's first contact (the time by which all had been called, as the
 * summary states it), with who that was; none when one was never contacted.
 */
function everyCustomerRow(ctx: RenderContext, fromColumns: (ms: number) => string): string {
  const label = 'Every customer first contacted';
  const each = ctx.figures.contacts;
  const ms = ctx.figures.contact.contactedMs;
  const last = each.findLast((c) => c.contactedMs === ms);
  if (ms === undefined || !last?.contact) return `| ${label} | — | — | — | _not reached: no contact recorded with ${uncontacted(ctx)}_ |`;
  return `| ${label} | ${ctx.time(ms)} | ${fromColumns(ms)} | the last of ${each.length} customers, ${customerName(ctx, last.customer)}: ${viaText(ctx, last.contact)} |`;
}
