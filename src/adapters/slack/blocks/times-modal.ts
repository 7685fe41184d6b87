/**
 * The form `/incident times` opens: every key time the report measures, as
 * the report has it now, with where it came from, each in a field the
 * commander may correct; one reason for the corrections. Submitting records
 * one correction per changed time (who, what, was), never the unchanged ones.
 */
import type { KeyTime } from '../../../domain/events.ts';
import type { KeyTimeRow } from '../../../domain/report/index.ts';
import { context, section, type Block } from './format.ts';
import { md } from '../mrkdwn.ts';

export const TIMES_CALLBACK = 'key_times';
export const REASON_BLOCK = 'kt_reason';
export const timeBlock = (key: KeyTime): string => `kt_${key}`;

/** What the form carries to its submission: the incident and the values it showed. */
export interface TimesFormMeta {
  incidentId: string;
  channelId: string;
  /** The text each field started with, so only what the commander changed is recorded. */
  shown: Partial<Record<KeyTime, string>>;
}

/**
 * The modal. `rows` come from the report (value and source of each key
 * time); `local` writes a time as the form shows it (`YYYY-MM-DD HH:MM` in
 * the report's time zone).
 */
export function timesModal(o: { number: number; timezone: string; rows: readonly KeyTimeRow[]; channelId: string; incidentId: string; local: (ms: number) => string }): Record<string, unknown> {
  const shown: Partial<Record<KeyTime, string>> = {};
  const blocks: Block[] = [
    section(md`The report measures from these times: the impact window (impact start → service restored), SLA minutes and credits, time to acknowledge and mitigate. Change a time to correct it; each change goes on the timeline with your name.`),
    context(md`Times are \`HH:MM\` or \`YYYY-MM-DD HH:MM\`, ${o.timezone}.`),
  ];
  for (const r of o.rows) {
    const value = r.ms === undefined ? undefined : o.local(r.ms);
    if (value) shown[r.key] = value;
    blocks.push({
      type: 'input',
      block_id: timeBlock(r.key),
      optional: true,
      label: { type: 'plain_text', text: r.label },
      element: { type: 'plain_text_input', action_id: 'value', max_length: 40, ...(value ? { initial_value: value } : {}), placeholder: { type: 'plain_text', text: 'not recorded' } },
      hint: { type: 'plain_text', text: `Source: ${r.source}`.slice(0, 2000) },
    });
  }
  blocks.push({
    type: 'input', block_id: REASON_BLOCK, optional: true, label: { type: 'plain_text', text: 'Why (shown on the timeline)' },
    element: { type: 'plain_text_input', action_id: 'value', max_length: 500, placeholder: { type: 'plain_text', text: 'Disk-full alerts began at 13:57, before the page' } },
  });
  const meta: TimesFormMeta = { incidentId: o.incidentId, channelId: o.channelId, shown };
  return {
    type: 'modal',
    callback_id: TIMES_CALLBACK,
    private_metadata: JSON.stringify(meta),
    title: { type: 'plain_text', text: `Key times of INC-${o.number}`.slice(0, 24) },
    submit: { type: 'plain_text', text: 'Correct' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks,
  };
}

type Values = Record<string, Record<string, { value?: string | null }>>;

/** One field the commander changed. */
export interface TimeChange {
  key: KeyTime;
  text: string;
  was?: string;
}

/** The fields whose text differs from what the form showed; an emptied field is an error (a time cannot be unrecorded). */
export function changedTimes(values: Values, meta: TimesFormMeta, keys: readonly KeyTime[]): { changes: TimeChange[]; reason?: string; errors: Record<string, string> } {
  const changes: TimeChange[] = [];
  const errors: Record<string, string> = {};
  for (const key of keys) {
    const text = (values[timeBlock(key)]?.['value']?.value ?? '').trim();
    const was = meta.shown[key];
    if (text === (was ?? '')) continue;
    if (!text) {
      errors[timeBlock(key)] = 'A recorded time can be corrected, not removed. Put the time back or enter the right one.';
      continue;
    }
    changes.push({ key, text, ...(was ? { was } : {}) });
  }
  const reason = (values[REASON_BLOCK]?.['value']?.value ?? '').trim();
  return { changes, ...(reason ? { reason } : {}), errors };
}

export function parseTimesMeta(raw: string | undefined): TimesFormMeta | undefined {
  try {
    const m = JSON.parse(raw ?? '') as TimesFormMeta;
    return m && typeof m.incidentId === 'string' && typeof m.channelId === 'string' && typeof m.shown === 'object' && m.shown !== null ? m : undefined;
  } catch {
    return undefined;
  }
}
