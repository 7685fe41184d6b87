/**
 * Every Slack template, fed hostile text in every place outside text can
 * reach (title, description, summary, note, PagerDuty title, customer name,
 * checklist item, free text of old rows): nothing in a mrkdwn string or
 * fallback `text` is a live mention, broadcast or link, while the mentions
 * Kranz means (the commander, the incident channel) stay live.
 */
import { describe, expect, it } from 'vitest';
import { customerReportReviewMessage, customerAttachedMessage, whichCustomerBlocks } from '../../src/adapters/slack/blocks/customers.ts';
import { reviewModal } from '../../src/adapters/slack/blocks/customer-modal.ts';
import { topicText } from '../../src/adapters/slack/blocks/format.ts';
import { announcementMessage, checklistMessage, pagerDutyEventMessage, reminderMessage, statusEphemeral, statusUpdateMessage, summaryMessage } from '../../src/adapters/slack/blocks/incident.ts';
import { chunkMarkdown, reportSummaryMessage } from '../../src/adapters/slack/blocks/report.ts';
import { parseIncidentCommand } from '../../src/adapters/slack/command-parser.ts';
import { escapeText, link, md, mention, channelLink, textKeeping } from '../../src/adapters/slack/mrkdwn.ts';
import { customerNoticeText, CUSTOMER_REPLIES } from '../../src/adapters/slack/strings/customers.ts';
import { errorText } from '../../src/adapters/slack/strings/errors.ts';
import { noticeText, pagerDutyEventText, pagerDutyLinkedText, pagerDutyUnlinkedText } from '../../src/adapters/slack/strings/messages.ts';
import { legacyReminderText, reminderText } from '../../src/adapters/slack/strings/reminders.ts';
import { reminderStep } from '../../src/domain/reminders.ts';
import { REPLIES } from '../../src/adapters/slack/strings/replies.ts';
import { planCustomerUpdate } from '../../src/domain/customer-updates.ts';
import type { IncidentEvent, IncidentEventOf } from '../../src/domain/events.ts';
import type { Command } from '../../src/domain/commands.ts';
import { transition } from '../../src/domain/transition.ts';
import { asPdIncidentId, asSlackChannelId, asSlackUserId } from '../../src/domain/ids.ts';
import type { IncidentState } from '../../src/domain/incident.ts';
import type { Policy } from '../../src/domain/policy.ts';
import { draftReport } from '../../src/domain/report/index.ts';
import { T0, declare, envFor, testPolicy } from '../helpers/domain.ts';
import { HOSTILE, liveHostile, mrkdwnStrings } from '../helpers/hostile.ts';

const policy: Policy = {
  ...testPolicy,
  customers: [
    { ...testPolicy.customers[0]!, name: `Acme ${HOSTILE}`, mainContact: { name: `Ops ${HOSTILE}`, phone: '+1 555 0100', email: 'ops@acme.test' } },
    { id: 'globex', name: `Globex ${HOSTILE}`, mainContact: { name: 'Hank' }, sla: { targetPercent: 99.5, periodDays: 30 }, serviceCredits: [] },
  ],
  severities: testPolicy.severities.map((s) => ({ ...s, checklist: [{ id: 'hostile', title: `Tell ${HOSTILE}`, dueWithinMs: 60_000 }, ...s.checklist] })),
  statuspage: { pageId: 'page1', publish: 'ask', publishPrivate: false, components: [], outlets: { statusPage: true, email: true } },
};

/** The incident and its event log, every outside field hostile. */
function hostileIncident(): { state: IncidentState; events: IncidentEvent[] } {
  const env = envFor({ policy });
  const events: IncidentEvent[] = [];
  let state: IncidentState | undefined;
  const commands: Command[] = [
    declare({ title: `Checkout down ${HOSTILE}`, description: `Impact ${HOSTILE}`, commanderId: asSlackUserId('UDANA'), pagerDuty: { pdIncidentId: asPdIncidentId('PX1'), pdIncidentNumber: 7, url: 'https://pd.example/incidents/PX1' } }),
    { type: 'record_channel', channelId: asSlackChannelId('CINC'), channelName: 'inc-42' },
    { type: 'add_note', text: `Note ${HOSTILE}`, via: 'command', authorId: asSlackUserId('UDANA') },
    { type: 'post_status_update', status: 'identified', summary: `Summary ${HOSTILE}` },
    { type: 'record_root_cause', text: `Cause ${HOSTILE}` },
  ];
  for (const c of commands) {
    const r = transition(state, c, T0, { ...env, idempotencyKey: `k-${events.length}` });
    if (!r.ok) throw new Error(`${c.type}: ${JSON.stringify(r.error)}`);
    events.push(...r.value.events);
    state = r.value.state;
  }
  return { state: { ...state!, customers: ['acme'] }, events };
}

/** Reminders whose words quote no outside text (only numbers and durations). */
const QUOTE_NOTHING = ['reminder status_update level 1', 'reminder status_update level 2', 'reminder no_activity level 1', 'reminder resolved_not_closed level 1'];

describe('hostile text through every Slack template', () => {
  const { state: s, events } = hostileIncident();
  const posted = events.find((e): e is IncidentEventOf<'status_update_posted'> => e.type === 'status_update_posted')!;
  const pdSpec = { template: 'pagerduty_event' as const, eventType: 'incident.triggered', text: `PagerDuty #7: ${HOSTILE}` };
  const outputs: Record<string, unknown> = {
    summary: summaryMessage(s, policy),
    checklist: checklistMessage(s, policy),
    checklistWhichCustomer: checklistMessage({ ...s, customers: [] }, policy),
    statusUpdate: statusUpdateMessage(s, posted, 'incident'),
    statusUpdateRelay: statusUpdateMessage(s, posted, 'relay'),
    announcement: announcementMessage(s, 'CINC'),
    legacyReminder: reminderMessage(legacyReminderText({ template: 'reminder', reminder: 'status_update', level: 3, mention: [asSlackUserId('UDANA')], text: `:sos: Escalation: INC-42 "${s.title}" needs you <@UDANA>. Please step in: <#CINC>.` }, 'CINC'), ['UDANA'], '{}'),
    pagerDuty: pagerDutyEventMessage(s, pagerDutyEventText(pdSpec), { kind: 'resolve' }),
    pagerDutyWithQuestion: pagerDutyEventMessage(s, pagerDutyEventText({ ...pdSpec, facts: {}, action: { kind: 'change_severity', severity: 'SEV2' } })),
    status: { text: statusEphemeral(s, policy).text },
    attached: customerAttachedMessage(s, 'acme', customerNoticeText({ template: 'customer_attached', customer: 'acme', via: 'command' }, s, policy), true),
    detached: { text: customerNoticeText({ template: 'customer_detached', customer: 'acme' }, s, policy).text },
    reportSent: { text: customerNoticeText({ template: 'customer_report_sent', customer: 'acme', channel: 'CACME' }, s, policy).text },
    which: { blocks: whichCustomerBlocks(s, policy.customers) },
    customerReview: customerReportReviewMessage(s, { customer: 'acme', customerName: policy.customers[0]!.name, sha256: 'x', where: 'below' }),
    customerReviewNoChannel: customerReportReviewMessage(s, { customer: 'globex', customerName: policy.customers[1]!.name, sha256: 'x', where: 'below' }),
    reportSummary: reportSummaryMessage(s, 'below'),
    reportChunks: chunkMarkdown(draftReport(events, policy)),
    publicationFailed: { text: noticeText({ template: 'publication_failed', channel: 'email', to: `x${HOSTILE}@acme.test`, reason: `550 ${HOSTILE}` }, 42).text },
    statusPageLive: { text: noticeText({ template: 'statuspage_live', url: `https://status.example/x?${HOSTILE}` }, 42).text },
    pagerDutyLinked: { text: pagerDutyLinkedText({ template: 'pagerduty_linked', pdIncidentId: asPdIncidentId('PX1'), pdIncidentNumber: 7, url: `https://pd.example/incidents/PX1?${HOSTILE}`, title: HOSTILE, by: asSlackUserId('UDANA') }, 42, true).text },
    pagerDutyUnlinked: { text: pagerDutyUnlinkedText({ template: 'pagerduty_unlinked', pdIncidentId: asPdIncidentId('PX1'), pdIncidentNumber: 7, url: `https://pd.example/incidents/PX1?${HOSTILE}`, by: asSlackUserId('UDANA') }, 42, true).text },
    ...Object.fromEntries(([
      ['status_update', 1], ['status_update', 2], ['status_update', 3], ['customer_contact', 1], ['customer_contact', 2], ['customer_contact', 3],
      ['checklist_item', 1], ['no_activity', 1], ['resolved_not_closed', 1], ['review_due', 1],
    ] as const).map(([kind, level]) => {
      // A customer call's reminder is about one customer's item (acme's, whose contact is hostile); a checklist item's names the item.
      const step = reminderStep({ kind, subject: kind === 'customer_contact' ? 'acme' : 'hostile', dueAt: T0.toISOString() }, level, s, { ...policy, reminders: { ...policy.reminders, escalationTarget: { kind: 'channel', id: asSlackChannelId('CSTAKE') } } }, new Date(T0.getTime() + 3_600_000));
      const spec = { template: 'reminder' as const, reminder: kind, level: step.level, mention: step.mention, facts: step.facts };
      return [`reminder ${kind} level ${level}`, reminderMessage(reminderText(spec, 'CINC'), step.mention, '{}')];
    })),
    legacyText: { text: noticeText({ template: 'text', text: `Status page refused: ${HOSTILE}` }, 42).text },
    list: { text: REPLIES.openIncidents([{ number: 42, severity: 'SEV1', status: 'identified', channelId: 'CINC', title: s.title }]).text },
    errors: ['severity.unknown', 'customer.unknown', 'customer.not_attached', 'time.invalid', 'reminder.unknown_kind', 'role.unknown'].map((code) => ({
      text: errorText({ code, params: { given: HOSTILE, known: [HOSTILE], number: 42 } } as never).text,
    })),
    alreadyDone: { text: errorText({ code: 'checklist.already_done', params: { title: HOSTILE, doneBy: 'UDANA' } }).text },
    customerAttachedReply: { text: CUSTOMER_REPLIES.attached(policy.customers[0]!.name).text },
    unknownService: { text: REPLIES.unknownPagerDutyService(HOSTILE, [HOSTILE]).text },
    unknownSubcommand: (() => { const r = parseIncidentCommand("<@UEVIL01><!channel> now"); return { text: r.ok ? '' : r.message.text }; })(),
    topic: { topic: topicText(s) },
  };
  const plan = planCustomerUpdate(policy, s, { status: 'identified', summary: `Summary ${HOSTILE}`, nextUpdateAt: T0.toISOString() }, { title: `Public ${HOSTILE}`, approved: true });
  outputs['reviewModal'] = reviewModal(42, plan, { incidentId: s.id, status: 'identified', summary: 'x', customer: {} }, policy);

  it.each(Object.keys(outputs))('%s: no hostile mention, broadcast or link is live', (name) => {
    const out = outputs[name];
    const strings = mrkdwnStrings(out);
    expect(strings.length, `${name} has mrkdwn to check`).toBeGreaterThan(0);
    expect(liveHostile(out)).toEqual([]);
    // The hostile text went through (as text, or in plain_text where Slack parses nothing),
    // except in the reminders whose words quote nothing from outside.
    if (QUOTE_NOTHING.includes(name)) return;
    // What customers will get is cleaned as the customer report is: the pasted mention is gone, not quoted.
    if (name === 'reviewModal') expect(JSON.stringify(out)).not.toContain('UEVIL01');
    else expect(JSON.stringify(out)).toContain('UEVIL01');
  });

  it('keeps the mentions and links Kranz means', () => {
    const summary = JSON.stringify(outputs['summary']);
    expect(summary).toContain('<@UDANA>');
    expect(summary).toContain('<https://pd.example/incidents/PX1|#7>');
    expect(JSON.stringify(outputs['announcement'])).toContain('<#CINC>');
    const legacy = JSON.stringify(outputs['legacyReminder']);
    expect(legacy).toContain('<@UDANA>');
    expect(legacy).toContain('<#CINC>');
  });
});

describe('the builder', () => {
  it('escapes every interpolation and only those', () => {
    expect(md`*${'<!here> & co'}*`.text).toBe('*&lt;!here&gt; &amp; co*');
    expect(md`${md`*bold*`} ${1}`.text).toBe('*bold* 1');
    expect(escapeText('a<b>&c')).toBe('a&lt;b&gt;&amp;c');
  });

  it('builds mentions and links only from well-formed ids and http(s) URLs', () => {
    expect(mention('UDANA').text).toBe('<@UDANA>');
    expect(mention('<!channel>').text).toBe('&lt;!channel&gt;');
    expect(channelLink('CINC').text).toBe('<#CINC>');
    expect(channelLink('C1|x>').text).toBe('C1|x&gt;');
    expect(link('https://x.test/a>b|c', '<!here>').text).toBe('<https://x.test/a%3Eb%7Cc|&lt;!here&gt;>');
    expect(link('javascript:alert(1)').text).toBe('javascript:alert(1)');
  });

  it('cuts long text without splitting an entity', () => {
    expect(md`${'a'.repeat(8)}<`.slice(10).text).toBe('aaaaaaaa<'.slice(0, 9));
    expect(md`${'a'.repeat(8)}${'<'}`.slice(10).text).toBe('aaaaaaaa');
  });

  it('restores only the listed tokens in text an older Kranz queued', () => {
    expect(textKeeping('<@UDANA> <@UEVIL01> <#CINC> <#CEVIL01> <!channel>', { users: ['UDANA'], channels: ['CINC'] }).text)
      .toBe('<@UDANA> &lt;@UEVIL01&gt; <#CINC> &lt;#CEVIL01&gt; &lt;!channel&gt;');
  });
});
