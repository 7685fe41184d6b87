/**
 * Modals and the parsing of their submissions. Parsing is pure and returns
 * per-field errors, which Slack shows inline (`response_action: errors`).
 */
import { formatDurationInput } from '../../../domain/duration.ts';
import type { Policy } from '../../../domain/policy.ts';
import { SETTABLE_STATUSES } from '../../../domain/commands.ts';
import type { Status } from '../../../domain/events.ts';
import { asSlackUserId, type SlackUserId } from '../../../domain/ids.ts';
import type { Block } from './format.ts';
import { customerBlocks, type CustomerForm } from './customer-modal.ts';

export const DECLARE_CALLBACK = 'declare_incident';
export const UPDATE_CALLBACK = 'status_update';

const input = (blockId: string, label: string, element: Record<string, unknown>, optional = false, hint?: string): Block => ({
  type: 'input',
  block_id: blockId,
  label: { type: 'plain_text', text: label },
  element: { action_id: 'value', ...element },
  optional,
  ...(hint ? { hint: { type: 'plain_text', text: hint } } : {}),
});

const option = (value: string, text: string): Record<string, unknown> => ({ value, text: { type: 'plain_text', text: text.slice(0, 75) } });

export function declareModal(policy: Policy, meta: { channelId: string; userId: string }): Record<string, unknown> {
  const sevs = policy.severities.map((s) => option(s.key, `${s.key}: ${s.label}`));
  const def = sevs.find((o) => o.value === policy.defaultSeverity);
  const blocks: Block[] = [
    input('title', 'Title', { type: 'plain_text_input', max_length: 150, placeholder: { type: 'plain_text', text: 'Checkout API returns 500s' } }),
    input('severity', 'Severity', { type: 'static_select', options: sevs, ...(def ? { initial_option: def } : {}) }),
    input('description', 'Impact and description', { type: 'plain_text_input', multiline: true, max_length: 2900 }, true),
  ];
  if (policy.customers.length) {
    blocks.push(input('customers', 'Affected customers', { type: 'multi_static_select', options: policy.customers.slice(0, 100).map((c) => option(c.id, c.name)) }, true));
  }
  blocks.push(
    input('commander', 'Incident commander', { type: 'users_select', initial_user: meta.userId }, true),
    input('private', 'Visibility', { type: 'checkboxes', options: [option('private', 'Private incident (private channel, no announcement)')] }, true),
  );
  return {
    type: 'modal',
    callback_id: DECLARE_CALLBACK,
    private_metadata: JSON.stringify(meta),
    title: { type: 'plain_text', text: 'Declare an incident' },
    submit: { type: 'plain_text', text: 'Declare' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks,
  };
}

export function updateModal(incident: { id: string; number: number; status: Status }, cadenceMs: number, channelId: string, customer?: CustomerForm): Record<string, unknown> {
  const statuses = [...SETTABLE_STATUSES, 'resolved' as const].map((s) => option(s, s));
  const init = statuses.find((o) => o.value === incident.status);
  return {
    type: 'modal',
    callback_id: UPDATE_CALLBACK,
    private_metadata: JSON.stringify({ incidentId: incident.id, channelId }),
    title: { type: 'plain_text', text: `Update INC-${incident.number}`.slice(0, 24) },
    submit: { type: 'plain_text', text: 'Post update' },
    blocks: [
      input('status', 'Status', { type: 'static_select', options: statuses, ...(init ? { initial_option: init } : {}) }),
      input('summary', 'Customer-facing summary', { type: 'plain_text_input', multiline: true, max_length: customer ? 2400 : 2900 }, false, 'Relayed to the customers\' and stakeholder channels.'),
      input('next', 'Next update in', { type: 'plain_text_input', initial_value: formatDurationInput(cadenceMs) }, true, 'e.g. 30s, 15m, 1h. Defaults to the severity cadence.'),
      ...(customer ? customerBlocks(customer) : []),
    ],
  };
}

type StateValues = Record<string, Record<string, { value?: string | null; selected_option?: { value: string } | null; selected_options?: { value: string }[]; selected_user?: string | null }>>;

export interface DeclareSubmission {
  title: string;
  severity: string;
  description: string;
  customers: string[];
  commanderId?: SlackUserId;
  private: boolean;
}

const v = (values: StateValues, block: string) => values[block]?.['value'];

export function parseDeclareSubmission(values: StateValues): { ok: true; value: DeclareSubmission } | { ok: false; errors: Record<string, string> } {
  const title = v(values, 'title')?.value?.trim() ?? '';
  const severity = v(values, 'severity')?.selected_option?.value ?? '';
  const errors: Record<string, string> = {};
  if (!title) errors['title'] = 'A title is required.';
  if (!severity) errors['severity'] = 'Pick a severity.';
  if (Object.keys(errors).length) return { ok: false, errors };
  const commander = v(values, 'commander')?.selected_user ?? undefined;
  return {
    ok: true,
    value: {
      title,
      severity,
      description: v(values, 'description')?.value?.trim() ?? '',
      customers: (v(values, 'customers')?.selected_options ?? []).map((o) => o.value),
      ...(commander ? { commanderId: asSlackUserId(commander) } : {}),
      private: (v(values, 'private')?.selected_options ?? []).some((o) => o.value === 'private'),
    },
  };
}

export function parseUpdateSubmission(values: StateValues, parseDuration: (t: string) => number | undefined):
  { ok: true; value: { status: Status; summary: string; nextUpdateInMs?: number } } | { ok: false; errors: Record<string, string> } {
  const status = v(values, 'status')?.selected_option?.value as Status | undefined;
  const summary = v(values, 'summary')?.value?.trim() ?? '';
  const nextText = v(values, 'next')?.value?.trim() ?? '';
  const errors: Record<string, string> = {};
  if (!status) errors['status'] = 'Pick a status.';
  if (!summary) errors['summary'] = 'Write what customers should know.';
  const next = nextText ? parseDuration(nextText) : undefined;
  if (nextText && !next) errors['next'] = 'Use a duration such as 15m or 1h.';
  if (Object.keys(errors).length || !status) return { ok: false, errors };
  return { ok: true, value: { status, summary, ...(next ? { nextUpdateInMs: next } : {}) } };
}
