/**
 * The report's closing sections: root cause, corrective and preventive
 * measures, and the response metrics table.
 */
import { formatDuration } from '../duration.ts';
import type { IncidentEventOf } from '../events.ts';
import type { RenderContext } from './context.ts';
import { escapeBlock, escapeInline } from './markdown.ts';
import { impactWindow } from './summary.ts';
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

/** `## Metrics`: time to each milestone, from impact start and from declaration. */
export function renderMetrics(ctx: RenderContext): string[] {
  const { state, declaredMs, declared } = ctx.facts;
  const w = impactWindow(ctx);
  const t = state.times;
  const since = (from: number, to: number | undefined): string => (to === undefined ? '—' : formatDuration(to - from));
  const parse = (iso: string | undefined): number | undefined => {
    const ms = Date.parse(iso ?? '');
    return Number.isNaN(ms) ? undefined : ms;
  };
  const rows: [string, number | undefined][] = [
    ['Time to acknowledge', parse(t.acknowledgedAt)],
    ['Time to customer contact', parse(t.customerContactedAt)],
    ['Time to mitigate', parse(t.mitigatedAt)],
    ['Time to resolve', parse(t.resolvedAt)],
  ];
  const detected = parse(declared.data.detectedAt);
  const lead = [`Impact started ${ctx.time(w.startMs)}`];
  if (detected !== undefined && detected !== w.startMs) lead.push(`detected ${ctx.time(detected)}`);
  lead.push(`declared ${ctx.time(declaredMs)}: ${formatDuration(declaredMs - w.startMs)} from impact start to declaration.`);
  return [
    '## Metrics',
    '',
    `${lead.join(', ')}${w.startAssumed ? ' The impact start was not recorded, so both columns count from the declaration.' : ''}`,
    '',
    `| Measure | Reached at | From impact start (${ctx.time(w.startMs)}) | From declaration (${ctx.time(declaredMs)}) |`,
    '| --- | --- | --- | --- |',
    ...rows.map(([label, ms]) => `| ${label} | ${ms === undefined ? '—' : ctx.time(ms)} | ${since(w.startMs, ms)} | ${since(declaredMs, ms)} |`),
  ];
}
