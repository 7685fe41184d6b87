/**
 * The Slack outbox target: renders each queued effect from the incident's
 * current state and makes the Web API calls. Every call goes through here,
 * so a 429 or an outage only delays messages; order per channel is the
 * outbox's job.
 */
import type { WebClient } from '@slack/web-api';
import type { Deliverer, DeliveryOutcome, FollowUp } from '../../app/deliver-outbox.ts';
import { decodePayload, orderKeys, outboxRow } from '../../app/outbox-rows.ts';
import type { ClaimedOutboxRow, DeliveryReads, NewOutboxRow } from '../../app/ports.ts';
import type { ChannelRef, MessageSpec } from '../../domain/effects.ts';
import type { IncidentState } from '../../domain/incident.ts';
import { customerEmails, type Policy } from '../../domain/policy.ts';
import { outletsOf } from '../../domain/customer-updates.ts';
import { channelName } from '../../domain/channel-name.ts';
import { asSlackChannelId } from '../../domain/ids.ts';
import { assertNever } from '../../lib/result.ts';
import { toDeliveryOutcome, slackErrorCode } from './errors.ts';
import { message, section, topicText, wellFormed, type Block } from './blocks/format.ts';
import { reminderText } from './strings/reminders.ts';
import { plain } from './mrkdwn.ts';
import { announcementMessage, checklistMessage, pagerDutyEventMessage, reminderMessage, statusUpdateMessage, summaryMessage } from './blocks/incident.ts';
import { chunkMarkdown, reportSummaryMessage } from './blocks/report.ts';
import { adoptOrCreateChannel } from './channels.ts';
import { slackOpSchema, type RawMessage, type SlackOp } from './outbox-ops.ts';
import { publishDocument } from './report-publisher.ts';
import { noticeText, pagerDutyEventText, pagerDutyLinkedText, pagerDutyUnlinkedText } from './strings/messages.ts';
import { customerNoticeText } from './strings/customers.ts';
import { customerAttachedMessage, customerReportReviewMessage } from './blocks/customers.ts';

export interface SlackDelivererDeps {
  client: WebClient;
  reads: DeliveryReads;
  policy: Policy;
  botUserId: () => Promise<string>;
}

type Rendered = { text: string; blocks: Block[] };

/** Marks each post with its outbox key, so a retry after a crash can find what already went out. */
const metadata = (row: ClaimedOutboxRow) => ({ event_type: 'kranz_outbox', event_payload: { key: row.idempotencyKey } });

/**
 * How long a row that needs the incident channel waits for it. Another row
 * (under the incident's own order key) is usually creating it right now, so
 * the first waits are short: the announcement should not trail the channel by
 * the seconds a generic backoff would add. Later waits grow for a real outage.
 */
export const channelWaitMs = (attempts: number): number => Math.min(10_000, 200 * 2 ** Math.max(0, attempts - 1));

export class SlackDeliverer implements Deliverer {
  constructor(private readonly d: SlackDelivererDeps) {}

  async deliver(row: ClaimedOutboxRow): Promise<DeliveryOutcome> {
    const decoded = decodePayload(slackOpSchema, row);
    if (!decoded.ok) return { ok: false, retryable: false, error: decoded.error };
    const op = decoded.value;
    const incidentId = row.incidentId;
    if (!incidentId) return { ok: false, retryable: false, error: 'slack rows need an incident' };
    const state = await this.d.reads.readIncident(incidentId);
    if (!state) return { ok: false, retryable: false, error: `incident ${incidentId} not found` };
    try {
      return await this.run(row, op, state);
    } catch (e) {
      return toDeliveryOutcome(e);
    }
  }

  private async run(row: ClaimedOutboxRow, effect: SlackOp, s: IncidentState): Promise<DeliveryOutcome> {
    const c = this.d.client;
    if (effect.kind === 'slack.post_raw') {
      const ts = await this.postOnce(row, effect.channel, effect.message);
      return { ok: true, result: { channel: effect.channel, ts } };
    }
    if (effect.kind === 'slack.create_channel') {
      if (s.channelId) return { ok: true, result: { channelId: s.channelId, adopted: true } };
      const ch = await adoptOrCreateChannel(c, {
        incidentId: s.id, private: effect.private, botUserId: await this.d.botUserId(),
        nameFor: (suffix) => (suffix === 1 ? effect.name : channelName(this.d.policy, s, new Date(s.times.declaredAt), suffix)),
        purpose: `Incident INC-${s.number}, managed by Kranz. kranz:${s.id}`,
      });
      await this.invite(ch.id, effect.invite);
      const followUps: FollowUp[] = [{
        kind: 'command', incidentId: s.id, command: { type: 'record_channel', channelId: asSlackChannelId(ch.id), channelName: ch.name },
        meta: { actor: { kind: 'kranz' }, source: { kind: 'slack', channelId: asSlackChannelId(ch.id) }, idempotencyKey: `${row.idempotencyKey}:recorded` },
      }];
      return { ok: true, result: ch, followUps };
    }
    const channel = s.channelId;
    if (!channel) return { ok: false, retryable: true, error: 'incident channel not created yet', retryAfterMs: channelWaitMs(row.attempts), waiting: true };
    switch (effect.kind) {
      case 'slack.invite':
        await this.invite(channel, effect.userIds);
        return { ok: true };
      case 'slack.set_topic':
        await c.conversations.setTopic({ channel, topic: wellFormed(topicText(s)) });
        return { ok: true };
      case 'slack.post': {
        const target = await this.resolve(effect.to, channel);
        const msg = await this.render(effect.message, s, effect.to.kind === 'incident' ? 'incident' : 'relay');
        const r = await this.postOnce(row, target, msg);
        return { ok: true, result: { channel: target, ts: r } };
      }
      case 'slack.post_slot': {
        const msg = effect.slot === 'summary' ? summaryMessage(s, this.d.policy) : checklistMessage(s, this.d.policy);
        const ts = await this.postOnce(row, channel, msg);
        if (effect.pin) await c.pins.add({ channel, timestamp: ts }).catch((e: unknown) => {
          if (slackErrorCode(e) !== 'already_pinned') throw e;
        });
        return { ok: true, result: { ts }, followUps: [{ kind: 'slot', incidentId: s.id, slot: effect.slot, channelId: channel, ts }] };
      }
      case 'slack.refresh_slot': {
        const slot = await this.d.reads.findSlot(s.id, effect.slot);
        if (!slot) return { ok: false, retryable: true, error: `slot ${effect.slot} not posted yet`, waiting: true };
        const msg = effect.slot === 'summary' ? summaryMessage(s, this.d.policy) : checklistMessage(s, this.d.policy);
        const clean = wellFormed(msg);
        await c.chat.update({ channel: slot.channelId, ts: slot.ts, text: clean.text, blocks: clean.blocks as never });
        return { ok: true };
      }
      case 'slack.publish_report':
        return this.publishReport(row, effect, s, channel);
      case 'slack.publish_customer_report':
        return this.publishCustomerReport(row, s, channel, effect);
      case 'slack.publish_document':
        return this.publishDocumentTo(row, s, effect);
      case 'slack.archive': {
        // Delivering the report queues its summary and chunks behind this row; archiving first made
        // them fail with is_archived. So go to the back of the channel's queue once, then archive.
        if (!effect.afterQueued) {
          const again = outboxRow({ ...effect, afterQueued: true } satisfies SlackOp, { incidentId: s.id, orderKey: row.orderKey, idempotencyKey: `${row.idempotencyKey}:last` });
          return { ok: true, result: { deferred: true }, followUps: [{ kind: 'enqueue', rows: [again] }] };
        }
        await c.conversations.archive({ channel }).catch((e: unknown) => {
          if (slackErrorCode(e) !== 'already_archived') throw e;
        });
        return { ok: true };
      }
      default:
        return assertNever(effect, 'Slack op');
    }
  }

  private async invite(channel: string, userIds: readonly string[]): Promise<void> {
    const bot = await this.d.botUserId();
    const users = userIds.filter((u) => u !== bot);
    if (users.length === 0) return;
    try {
      await this.d.client.conversations.invite({ channel, users: users.join(',') });
    } catch (e) {
      // Already there, or a deactivated user: the rest of the response must go on.
      if (!['already_in_channel', 'cant_invite_self', 'user_not_found', 'cant_invite'].includes(slackErrorCode(e))) throw e;
    }
  }

  private async resolve(to: ChannelRef, incidentChannel: string): Promise<string> {
    if (to.kind === 'incident') return incidentChannel;
    return to.id; // chat.postMessage to a user id opens the DM.
  }

  /**
   * Posts unless an earlier attempt of the same row already did (the process
   * may have died between Slack's answer and our commit).
   */
  private async postOnce(row: ClaimedOutboxRow, channel: string, msg: Rendered): Promise<string> {
    if (row.attempts > 1 && /^[CG]/.test(channel)) {
      const oldest = String(Math.floor(Date.parse(row.createdAt) / 1000) - 1);
      const h = await this.d.client.conversations.history({ channel, oldest, limit: 200, include_all_metadata: true }).catch(() => undefined);
      const found = h?.messages?.find((m) => (m as { metadata?: { event_payload?: { key?: string } } }).metadata?.event_payload?.key === row.idempotencyKey);
      if (found?.ts) return found.ts;
    }
    const clean = wellFormed(msg);
    const r = await this.d.client.chat.postMessage({ channel, text: clean.text, blocks: clean.blocks as never, metadata: metadata(row), unfurl_links: false, unfurl_media: false });
    return r.ts ?? '';
  }

  private async render(m: MessageSpec, s: IncidentState, audience: 'incident' | 'relay'): Promise<Rendered> {
    switch (m.template) {
      case 'incident_announced':
        return announcementMessage(s, s.channelId);
      case 'status_update': {
        const e = await this.d.reads.loadEvent(m.eventId);
        if (!e || e.type !== 'status_update_posted') return { text: 'Status update', blocks: [] };
        return statusUpdateMessage(s, e, audience);
      }
      case 'text':
      case 'severity_changed':
      case 'resolved':
      case 'statuspage_live':
      case 'publication_failed': {
        const text = noticeText(m, s.number);
        return message(text, [section(text)]);
      }
      case 'reminder':
        return reminderMessage(reminderText(m, s.channelId), m.mention, JSON.stringify({ incidentId: s.id, reminder: m.reminder }));
      case 'pagerduty_event':
        return pagerDutyEventMessage(s, pagerDutyEventText(m), m.action);
      case 'pagerduty_linked': {
        const text = pagerDutyLinkedText(m, s.number, this.d.policy.pagerduty.resolveInPagerDuty);
        return message(text, [section(text)]);
      }
      case 'pagerduty_unlinked': {
        const text = pagerDutyUnlinkedText(m, s.number, this.d.policy.pagerduty.resolveInPagerDuty);
        return message(text, [section(text)]);
      }
      case 'report':
        return message(plain(m.markdown), []);
      case 'customer_attached':
        return customerAttachedMessage(s, m.customer, customerNoticeText(m, s, this.d.policy), true);
      case 'customer_detached':
      case 'customer_report_sent':
      case 'mitigated': {
        const text = customerNoticeText(m, s, this.d.policy);
        return message(text, [section(text)]);
      }
    }
  }

  /** A customer report for review: the document in the incident channel, then the message with its Send button. */
  private async publishCustomerReport(row: ClaimedOutboxRow, s: IncidentState, channel: string, e: Extract<SlackOp, { kind: 'slack.publish_customer_report' }>): Promise<DeliveryOutcome> {
    const title = `INC-${s.number} customer report for ${e.customerName} (draft for review)`;
    const doc = await publishDocument(this.d.client, { channel, title, markdown: e.markdown, filename: `INC-${s.number}-report-${e.customer}-draft.md` });
    const customer = s.policy?.customers.find((c) => c.id === e.customer) ?? this.d.policy.customers.find((c) => c.id === e.customer);
    const where = doc.kind === 'messages' ? 'below' : doc.kind === 'canvas' ? 'in the channel canvas' : 'attached as a file';
    // Send by email when the customer has an address and this Kranz a mail server (the outlet is set from SMTP_URL).
    const emails = customer && outletsOf(this.d.policy).email ? customerEmails(customer) : [];
    const review = customerReportReviewMessage(s, { customer: e.customer, customerName: e.customerName, sha256: e.sha256, where, ...(customer?.slackChannel ? { channel: customer.slackChannel } : {}), ...(emails.length ? { email: emails.join(', ') } : {}) });
    const post = (i: number, message: RawMessage): NewOutboxRow => outboxRow({ kind: 'slack.post_raw', channel, message } satisfies SlackOp, {
      incidentId: s.id, orderKey: orderKeys.incidentChannel(s.id), idempotencyKey: `${row.idempotencyKey}:part${i}`,
    });
    const rows: NewOutboxRow[] = [];
    if (doc.kind === 'messages') chunkMarkdown(e.markdown).forEach((m, i) => rows.push(post(i + 1, { template: 'raw', ...m })));
    rows.push(post(0, { template: 'raw', ...review }));
    return { ok: true, result: doc, followUps: [{ kind: 'enqueue', rows }] };
  }

  /** A document in any channel (a sent customer report in the customer's channel). */
  private async publishDocumentTo(row: ClaimedOutboxRow, s: IncidentState, e: Extract<SlackOp, { kind: 'slack.publish_document' }>): Promise<DeliveryOutcome> {
    const doc = await publishDocument(this.d.client, { channel: e.channel, title: e.title, markdown: e.markdown, filename: e.filename });
    if (doc.kind !== 'messages') return { ok: true, result: doc };
    const rows: NewOutboxRow[] = chunkMarkdown(e.markdown).map((m, i) => outboxRow({ kind: 'slack.post_raw', channel: e.channel, message: { template: 'raw', ...m } } satisfies SlackOp, {
      incidentId: s.id, orderKey: orderKeys.slackChannel(e.channel), idempotencyKey: `${row.idempotencyKey}:part${i}`,
    }));
    return { ok: true, result: doc, followUps: [{ kind: 'enqueue', rows }] };
  }

  private async publishReport(row: ClaimedOutboxRow, op: Extract<SlackOp, { kind: 'slack.publish_report' }>, s: IncidentState, channel: string): Promise<DeliveryOutcome> {
    // Rows queued by an earlier Kranz carry the Markdown; newer ones name the stored draft.
    const markdown = op.markdown ?? (op.reportId !== undefined ? await this.d.reads.loadReport(op.reportId) : undefined);
    if (markdown === undefined) return { ok: false, retryable: false, error: `report ${op.reportId ?? '(none named)'} not found` };
    const doc = await publishDocument(this.d.client, { channel, title: `INC-${s.number} incident report`, markdown, filename: `INC-${s.number}-report.md` });
    const rows: NewOutboxRow[] = [];
    const summary = reportSummaryMessage(s, doc.kind === 'messages' ? 'below' : doc.kind === 'canvas' ? 'in the channel canvas' : 'attached as a file');
    const post = (i: number, message: RawMessage): NewOutboxRow => outboxRow({ kind: 'slack.post_raw', channel, message } satisfies SlackOp, {
      incidentId: s.id, orderKey: orderKeys.incidentChannel(s.id), idempotencyKey: `${row.idempotencyKey}:part${i}`,
    });
    rows.push(post(0, { template: 'raw', ...summary }));
    // Fallback: each chunk is its own outbox row, so a 429 halfway never posts a chunk twice.
    if (doc.kind === 'messages') chunkMarkdown(markdown).forEach((m, i) => rows.push(post(i + 1, { template: 'raw', ...m })));
    return { ok: true, result: doc, followUps: [{ kind: 'enqueue', rows }] };
  }
}
