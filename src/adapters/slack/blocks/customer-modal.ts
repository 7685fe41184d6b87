/**
 * The customer-facing part of the update form: a customer-facing title and
 * the impact per status page component, and, with `publish: ask`, the review
 * that shows exactly what the status page and the customers' inboxes will get
 * with the tick box nothing goes out without.
 */
import { defaultImpact, planCustomerUpdate, type CustomerFacingInput, type CustomerPlan } from '../../../domain/customer-updates.ts';
import type { Status } from '../../../domain/events.ts';
import type { IncidentState } from '../../../domain/incident.ts';
import { COMPONENT_IMPACTS, statusPagePolicy, type ComponentImpact, type Policy } from '../../../domain/policy.ts';
import { mrkdwnObject, section, context, type Block } from './format.ts';
import { joinMd, md, type Mrkdwn } from '../mrkdwn.ts';
import { wordlessReviewNotice } from '../strings/customer-updates.ts';

export const REVIEW_CALLBACK = 'status_update_review';

/** What the update form offers customers-wise; undefined when this incident publishes nothing. */
export interface CustomerForm {
  mode: 'ask' | 'auto';
  title?: string;
  components: { service: string; initial: ComponentImpact | 'none' }[];
}

export function customerForm(policy: Policy, state: IncidentState): CustomerForm | undefined {
  const probe = planCustomerUpdate(policy, state, { status: state.status, summary: 'x' }, { title: 'x', approved: true });
  if (probe.blocked) return undefined;
  const impact = defaultImpact(policy, state);
  const sp = statusPagePolicy(policy);
  const pageOpen = Boolean(probe.statusPage);
  return {
    mode: sp.publish,
    ...(state.customerFacing?.title ? { title: state.customerFacing.title } : {}),
    components: pageOpen ? sp.components.map((c) => ({ service: c.service, initial: impact[c.service] ?? 'none' })) : [],
  };
}

const IMPACT_LABEL: Record<ComponentImpact | 'none', string> = { none: 'Not affected', degraded_performance: 'Degraded performance', partial_outage: 'Partial outage', major_outage: 'Major outage' };
const opt = (value: string, text: string) => ({ value, text: { type: 'plain_text', text } });

export function customerBlocks(form: CustomerForm): Block[] {
  const blocks: Block[] = [
    { type: 'divider' },
    section(md`*For customers*: the status page and email to the affected customers' contacts.`),
    {
      type: 'input', block_id: 'cf_title', optional: true, label: { type: 'plain_text', text: 'Customer-facing title' },
      element: { type: 'plain_text_input', action_id: 'value', max_length: 150, ...(form.title ? { initial_value: form.title } : {}), placeholder: { type: 'plain_text', text: 'Checkout is slow for some customers' } },
      hint: { type: 'plain_text', text: 'Names the status page incident and the email subject. Not the internal title.' },
    },
  ];
  for (const c of form.components) {
    const options = (['none', ...COMPONENT_IMPACTS] as const).map((v) => opt(v, IMPACT_LABEL[v]));
    blocks.push({
      type: 'input', block_id: `cf_impact_${c.service}`, label: { type: 'plain_text', text: `Impact on ${c.service}` },
      element: { type: 'static_select', action_id: 'value', options, initial_option: options.find((o) => o.value === c.initial) },
    });
  }
  blocks.push(context(form.mode === 'auto' ? md`Posting publishes this update to customers at once.` : md`Next you see exactly what customers get, and publish only if you tick the box.`));
  return blocks;
}

type Values = Record<string, Record<string, { value?: string | null; selected_option?: { value: string } | null; selected_options?: { value: string }[] }>>;

export function parseCustomerFields(values: Values, form: CustomerForm): Omit<CustomerFacingInput, 'approved'> {
  const title = values['cf_title']?.['value']?.value?.trim();
  const impact: Record<string, ComponentImpact | 'none'> = {};
  for (const c of form.components) {
    const v = values[`cf_impact_${c.service}`]?.['value']?.selected_option?.value;
    impact[c.service] = v && (['none', ...COMPONENT_IMPACTS] as readonly string[]).includes(v) ? (v as ComponentImpact | 'none') : c.initial;
  }
  return { ...(title ? { title } : {}), ...(form.components.length ? { impact } : {}) };
}

/** What the review carries to the final submission (private_metadata, at most 3000 characters). */
export interface ReviewDraft {
  incidentId: string;
  channelId?: string;
  status: Status;
  summary: string;
  nextUpdateInMs?: number;
  customer: Omit<CustomerFacingInput, 'approved'>;
}

const quote = (t: string): Mrkdwn => joinMd(t.split('\n').map((l) => md`>${l}`), '\n');

/** The review: every word that will go out, then the tick. */
export function reviewModal(number: number, plan: CustomerPlan, draft: ReviewDraft, policy: Policy): Record<string, unknown> {
  const sp = statusPagePolicy(policy);
  const blocks: Block[] = [];
  const p = plan.statusPage;
  if (p) {
    const comps = Object.entries(p.components).map(([id, s]) => `${sp.components.find((c) => c.componentId === id)?.service ?? id} → ${s.replace(/_/g, ' ')}`).join(', ') || 'unchanged';
    blocks.push(section(md`*Status page* (${p.action === 'create' ? 'new incident' : 'update to the open incident'})\n*Name:* ${p.name ?? plan.title ?? ''}\n*Status:* ${p.status}\n*Components:* ${comps}\n*Message:*\n${quote(p.body)}`));
  }
  if (plan.emails.length) {
    const first = plan.emails[0]!;
    blocks.push(section(md`*Email* to ${plan.emails.map((m) => m.to).join(', ')} (one message each)\n*Subject:* ${first.subject}\n\`\`\`${first.text}\`\`\``));
  }
  const canPublish = Boolean(p || plan.emails.length);
  if (canPublish) {
    blocks.push({ type: 'input', block_id: 'publish', optional: true, label: { type: 'plain_text', text: 'Publish' }, element: { type: 'checkboxes', action_id: 'value', options: [opt('publish', 'Publish this to the status page and email it to the customers')] } });
    blocks.push(context(md`Without the tick, the update is posted in Slack only and nothing reaches the status page or email.`));
  } else {
    blocks.push(section(
      plan.blocked === 'title_required' ? md`Nothing can be published without a customer-facing title. The update goes to Slack only.`
      : plan.blocked === 'no_words' ? md`:warning: ${wordlessReviewNotice(plan.wordless ?? [])}`
      : md`Nothing will be published to customers. The update goes to Slack only.`,
    ));
  }
  return {
    type: 'modal',
    callback_id: REVIEW_CALLBACK,
    private_metadata: JSON.stringify(draft),
    title: { type: 'plain_text', text: `Review INC-${number}`.slice(0, 24) },
    submit: { type: 'plain_text', text: 'Post update' },
    blocks,
  };
}

export function parseTick(values: Values): boolean {
  return (values['publish']?.['value']?.selected_options ?? []).some((o) => o.value === 'publish');
}
