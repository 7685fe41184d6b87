/**
 * What the Slack outbox target accepts: the domain's Slack effects, plus the
 * rows this adapter queues for itself. Rows are decoded here, at the
 * deliverer's boundary (see app/outbox-rows.ts for the contract). Shapes
 * already stored by an earlier Kranz stay accepted: ops are only ever added.
 */
import { z } from 'zod';
import type { Effect, MessageSpec, ReminderFacts } from '../../domain/effects.ts';
import type { PagerDutyEventFacts } from '../../domain/events.ts';
import { asPdIncidentId, asSlackChannelId, asSlackUserId } from '../../domain/ids.ts';
import type { SameShape } from '../../lib/same-shape.ts';
import type { Block } from './blocks/format.ts';

type SlackEffect = Extract<Effect, { kind: `slack.${string}` }>;

/** A message rendered when its row was queued (the report's summary and chunks), posted as is. */
export type RawMessage = { template: 'raw'; text: string; blocks: Block[] };

/** Every payload a `slack` outbox row may carry. */
export type SlackOp =
  | Exclude<SlackEffect, { kind: 'slack.publish_report' | 'slack.archive' }>
  /** `markdown`: rows queued before the Markdown was loaded from `reports` by id. */
  | { kind: 'slack.publish_report'; reportId?: number; markdown?: string }
  /** `afterQueued`: this archive already went to the back of its channel's queue once; now it runs. */
  | { kind: 'slack.archive'; afterQueued?: boolean }
  | { kind: 'slack.post_raw'; channel: string; message: RawMessage };

// Ids get their brand here, where stored rows enter the adapter.
const slackUserId = z.string().transform(asSlackUserId);
const slackChannelId = z.string().transform(asSlackChannelId);
const pdIncidentId = z.string().transform(asPdIncidentId);
const slot = z.enum(['summary', 'checklist']);
const channelRef = z.discriminatedUnion('kind', [
  z.looseObject({ kind: z.literal('incident') }),
  z.looseObject({ kind: z.literal('channel'), id: slackChannelId }),
  z.looseObject({ kind: z.literal('user'), id: slackUserId }),
]);
const pdSuggestion = z.discriminatedUnion('kind', [
  z.looseObject({ kind: z.literal('resolve') }),
  z.looseObject({ kind: z.literal('change_severity'), severity: z.string() }),
]);
// The facts are all optional and only read for wording: an object is enough.
const pdFacts = z.custom<PagerDutyEventFacts>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'expected an object');
// Read only for wording, like the PagerDuty facts; the kind and numbers are what the words need.
const reminderFacts = z.looseObject({ kind: z.string(), level: z.number(), incident: z.number(), severity: z.string(), updateCadenceMs: z.number(), overdueMs: z.number() })
  .transform((v) => v as ReminderFacts);
const customerAttachVia = z.enum(['command', 'only_configured', 'button', 'pagerduty', 'declare']);
const messageSpec = z.discriminatedUnion('template', [
  z.looseObject({ template: z.literal('incident_announced') }),
  z.looseObject({ template: z.literal('status_update'), eventId: z.string() }),
  z.looseObject({ template: z.literal('text'), text: z.string() }),
  z.looseObject({ template: z.literal('severity_changed'), from: z.string(), to: z.string(), updateCadenceMs: z.number() }),
  z.looseObject({ template: z.literal('resolved') }),
  z.looseObject({ template: z.literal('reminder'), reminder: z.string(), level: z.number(), mention: z.array(slackUserId), facts: reminderFacts.optional(), text: z.string().optional() }),
  z.looseObject({ template: z.literal('pagerduty_event'), eventType: z.string(), text: z.string(), facts: pdFacts.optional(), action: pdSuggestion.optional() }),
  z.looseObject({ template: z.literal('pagerduty_linked'), pdIncidentId: pdIncidentId, pdIncidentNumber: z.number().optional(), url: z.string().optional(), title: z.string().optional(), by: slackUserId.optional() }),
  z.looseObject({ template: z.literal('pagerduty_unlinked'), pdIncidentId: pdIncidentId, pdIncidentNumber: z.number().optional(), url: z.string().optional(), by: slackUserId.optional() }),
  z.looseObject({ template: z.literal('report'), markdown: z.string() }),
  z.looseObject({ template: z.literal('customer_attached'), customer: z.string(), via: customerAttachVia }),
  z.looseObject({ template: z.literal('customer_detached'), customer: z.string(), callRemoved: z.boolean().optional() }),
  z.looseObject({ template: z.literal('customer_report_sent'), customer: z.string(), channel: z.string().optional(), emails: z.array(z.string()).optional() }),
  z.looseObject({ template: z.literal('mitigated'), at: z.string() }),
  z.looseObject({ template: z.literal('statuspage_live'), url: z.string() }),
  z.looseObject({ template: z.literal('publication_failed'), channel: z.enum(['statuspage', 'email']), to: z.string().optional(), reason: z.string() }),
]);
// Block Kit is checked by Slack; here a block only has to be an object.
const block = z.custom<Block>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'expected a Block Kit block');

export const slackOpSchema = z.discriminatedUnion('kind', [
  z.looseObject({ kind: z.literal('slack.create_channel'), name: z.string(), private: z.boolean(), invite: z.array(slackUserId) }),
  z.looseObject({ kind: z.literal('slack.invite'), userIds: z.array(slackUserId) }),
  z.looseObject({ kind: z.literal('slack.set_topic') }),
  z.looseObject({ kind: z.literal('slack.post'), to: channelRef, message: messageSpec }),
  z.looseObject({ kind: z.literal('slack.post_slot'), slot, pin: z.boolean() }),
  z.looseObject({ kind: z.literal('slack.refresh_slot'), slot }),
  z.looseObject({ kind: z.literal('slack.publish_report'), reportId: z.number().int().positive().optional(), markdown: z.string().optional() }),
  z.looseObject({ kind: z.literal('slack.archive'), afterQueued: z.boolean().optional() }),
  z.looseObject({ kind: z.literal('slack.publish_customer_report'), customer: z.string(), customerName: z.string(), markdown: z.string(), sha256: z.string() }),
  z.looseObject({ kind: z.literal('slack.publish_document'), channel: z.string(), title: z.string(), filename: z.string(), markdown: z.string() }),
  z.looseObject({ kind: z.literal('slack.post_raw'), channel: z.string(), message: z.looseObject({ template: z.literal('raw'), text: z.string(), blocks: z.array(block) }) }),
]);

// Compile-time guards: the schema decodes exactly the op union and every message template.
const opsMatch: SameShape<z.output<typeof slackOpSchema>, SlackOp> = true;
const messagesMatch: SameShape<z.output<typeof messageSpec>, MessageSpec> = true;
void opsMatch;
void messagesMatch;
