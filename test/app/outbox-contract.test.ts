/**
 * The outbox contract: rows are built from a payload's `<target>.<op>` kind,
 * order keys keep the shapes already stored, and each target decodes its
 * rows at the boundary: every shape the domain and the adapters queue
 * (including those an earlier Kranz stored) decodes, anything else is refused
 * with a reason naming the op.
 */
import { describe, expect, it } from 'vitest';
import { decodePayload, effectsToRows, orderKeys, outboxRow, type PayloadSchema } from '../../src/app/outbox-rows.ts';
import { pagerDutyOpSchema } from '../../src/adapters/pagerduty/outbox-ops.ts';
import { slackOpSchema } from '../../src/adapters/slack/outbox-ops.ts';
import { statusPageOpSchema } from '../../src/adapters/statuspage/outbox-ops.ts';
import { emailOpSchema } from '../../src/adapters/email/outbox-ops.ts';
import type { Effect } from '../../src/domain/effects.ts';
import { asPdIncidentId as PD, asPdServiceId as SVC, asSlackChannelId as C, asSlackUserId as U } from '../../src/domain/ids.ts';

const row = (payload: unknown, target = 'slack', op = 'x') => ({ target, op, payload });

/** One of each effect the domain queues. */
const EFFECTS: Effect[] = [
  { kind: 'slack.create_channel', name: 'inc-1-db', private: false, invite: [U('UDANA')] },
  { kind: 'slack.invite', userIds: [U('USAM')] },
  { kind: 'slack.set_topic' },
  { kind: 'slack.post', to: { kind: 'incident' }, message: { template: 'incident_announced' } },
  { kind: 'slack.post', to: { kind: 'channel', id: C('CSTAKE') }, message: { template: 'status_update', eventId: 'e1' } },
  { kind: 'slack.post', to: { kind: 'user', id: U('UDANA') }, message: { template: 'reminder', reminder: 'status_update', level: 2, mention: [U('UDANA')], text: 'Update due' } },
  { kind: 'slack.post', to: { kind: 'incident' }, message: { template: 'severity_changed', from: 'SEV2', to: 'SEV1', updateCadenceMs: 900_000 } },
  { kind: 'slack.post', to: { kind: 'incident' }, message: { template: 'resolved' } },
  { kind: 'slack.post', to: { kind: 'incident' }, message: { template: 'text', text: 'hello' } },
  { kind: 'slack.post', to: { kind: 'incident' }, message: { template: 'pagerduty_event', eventType: 'incident.acknowledged', text: 'Acknowledged', facts: { agentName: 'Sam' }, action: { kind: 'resolve' } } },
  { kind: 'slack.post', to: { kind: 'incident' }, message: { template: 'pagerduty_linked', pdIncidentId: PD('PD1'), pdIncidentNumber: 12, url: 'https://acme.pagerduty.com/incidents/PD1', title: 'Disk full', by: U('UDANA') } },
  { kind: 'slack.post', to: { kind: 'incident' }, message: { template: 'pagerduty_unlinked', pdIncidentId: PD('PD1'), pdIncidentNumber: 12, url: 'https://acme.pagerduty.com/incidents/PD1', by: U('UDANA') } },
  { kind: 'slack.post_slot', slot: 'summary', pin: true },
  { kind: 'slack.refresh_slot', slot: 'checklist' },
  { kind: 'slack.publish_report', reportId: 7 },
  { kind: 'slack.archive' },
  { kind: 'pagerduty.invite_oncall', serviceId: SVC('PSVC') },
  { kind: 'pagerduty.note', pdIncidentId: PD('PD1'), content: 'note', as: 'status_update' },
  { kind: 'pagerduty.resolve', pdIncidentId: PD('PD1') },
  { kind: 'pagerduty.page', target: { kind: 'service', serviceId: SVC('PSVC') }, message: 'help' },
  { kind: 'pagerduty.page', target: { kind: 'user', userId: U('USAM') }, message: '' },
];

/** Customer-side effects, checked for decoding by their own targets. */
const CUSTOMER_EFFECTS: Effect[] = [
  { kind: 'slack.post', to: { kind: 'incident' }, message: { template: 'customer_attached', customer: 'acme', via: 'declare' } },
  { kind: 'slack.post', to: { kind: 'incident' }, message: { template: 'customer_detached', customer: 'acme' } },
  { kind: 'slack.post', to: { kind: 'incident' }, message: { template: 'customer_report_sent', customer: 'acme', channel: 'CACME' } },
  { kind: 'slack.post', to: { kind: 'incident' }, message: { template: 'mitigated', at: '2026-12-07T10:00:00.000Z' } },
  { kind: 'slack.publish_customer_report', customer: 'acme', customerName: 'Acme', markdown: '# Report', sha256: 'abc' },
  { kind: 'slack.publish_document', channel: 'CACME', title: 'INC-1 report', filename: 'INC-1.md', markdown: '# Report' },
  { kind: 'statuspage.publish', action: 'create', pageId: 'pg1', name: 'Checkout degraded', status: 'investigating', body: 'Looking', components: { c1: 'major_outage' }, updateEventId: 'e1' },
  { kind: 'statuspage.publish', action: 'resolve', pageId: 'pg1', status: 'resolved', body: 'Fixed', components: { c1: 'operational' } },
  { kind: 'email.send', to: 'dana@acme.example', customerId: 'acme', subject: 'Checkout', text: 'Looking', messageKey: 'u1', previousKeys: [], updateEventId: 'e1' },
];

function schemaFor(kind: string): PayloadSchema<unknown> {
  if (kind.startsWith('slack.')) return slackOpSchema;
  if (kind.startsWith('statuspage.')) return statusPageOpSchema;
  if (kind.startsWith('email.')) return emailOpSchema;
  return pagerDutyOpSchema;
}

describe('outbox rows', () => {
  it('take target and op from the payload kind, and keep the order keys already stored', () => {
    const rows = effectsToRows('i1', EFFECTS, 'cmd');
    expect(rows.map((r) => `${r.target}.${r.op}`)).toEqual(EFFECTS.map((e) => e.kind));
    expect(rows.every((r, i) => r.idempotencyKey === `cmd:fx${i}` && r.incidentId === 'i1')).toBe(true);
    expect(rows.map((r) => r.orderKey)).toEqual([
      'slack:incident:i1', 'slack:incident:i1', 'slack:incident:i1', 'slack:incident:i1', 'slack:channel:CSTAKE', 'slack:user:UDANA',
      'slack:incident:i1', 'slack:incident:i1', 'slack:incident:i1', 'slack:incident:i1', 'slack:incident:i1', 'slack:incident:i1',
      'slack:incident:i1', 'slack:incident:i1', 'slack:incident:i1', 'slack:incident:i1', 'slack:incident:i1', 'pagerduty:PD1', 'pagerduty:PD1', 'pagerduty:page:i1', 'pagerduty:page:i1',
    ]);
    expect(outboxRow({ kind: 'slack.post_raw', channel: 'C1', message: { template: 'raw', text: 't', blocks: [] } }, { orderKey: orderKeys.incidentChannel('i2'), idempotencyKey: 'k' }))
      .toEqual({ target: 'slack', op: 'post_raw', orderKey: 'slack:incident:i2', idempotencyKey: 'k', payload: { kind: 'slack.post_raw', channel: 'C1', message: { template: 'raw', text: 't', blocks: [] } } });
  });
});

describe('decoding at the deliverer boundary', () => {
  it('decodes every effect the domain queues, for its own target', () => {
    for (const e of [...EFFECTS, ...CUSTOMER_EFFECTS]) expect(decodePayload(schemaFor(e.kind), row(e)), e.kind).toEqual({ ok: true, value: e });
  });

  it('decodes the rows the Slack adapter queues and those an earlier Kranz stored', () => {
    const stored = [
      { kind: 'slack.post_raw', channel: 'C1', message: { template: 'raw', text: 'Summary', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'x' } }] } },
      { kind: 'slack.archive', afterQueued: true },
      // Before reports were loaded by id, the publish row carried the Markdown.
      { kind: 'slack.publish_report', markdown: '# INC-1: Old report' },
      { kind: 'slack.post', to: { kind: 'incident' }, message: { template: 'report', markdown: '# r' } },
    ];
    for (const p of stored) expect(decodePayload(slackOpSchema, row(p))).toEqual({ ok: true, value: p });
  });

  it('keeps fields it does not know, so nothing is dropped on the way through', () => {
    const r = decodePayload(slackOpSchema, row({ kind: 'slack.archive', note: 'kept' }));
    expect(r).toEqual({ ok: true, value: { kind: 'slack.archive', note: 'kept' } });
  });

  it('refuses what it cannot deliver, naming the op', () => {
    const bad: [unknown, RegExp][] = [
      [{ kind: 'slack.post_raw', channel: 'C1' }, /message/],
      [{ kind: 'slack.teleport' }, /kind/],
      [{ kind: 'slack.post', to: { kind: 'incident' }, message: { template: 'hologram' } }, /template/],
      [{ kind: 'slack.publish_report', reportId: 'seven' }, /reportId/],
      [{ kind: 'pagerduty.note', pdIncidentId: 'PD1' }, /content/],
      ['not an object', /expected/i],
    ];
    for (const [payload, why] of bad) {
      const schema: PayloadSchema<unknown> = JSON.stringify(payload).includes('pagerduty.') ? pagerDutyOpSchema : slackOpSchema;
      const r = decodePayload(schema, row(payload, 'slack', 'post_raw'));
      expect(r.ok, JSON.stringify(payload)).toBe(false);
      if (!r.ok) {
        expect(r.error).toMatch(/^undecodable slack\.post_raw payload: /);
        expect(r.error).toMatch(why);
      }
    }
    // The customer targets refuse malformed publications before calling anyone.
    expect(decodePayload(statusPageOpSchema, row({ kind: 'statuspage.publish', action: 'create', pageId: '', status: 'investigating', body: 'x', components: {} })).ok).toBe(false);
    expect(decodePayload(statusPageOpSchema, row({ kind: 'statuspage.publish', action: 'update', pageId: 'pg', status: 'on_fire', body: 'x', components: {} })).ok).toBe(false);
    expect(decodePayload(emailOpSchema, row({ kind: 'email.send', to: 'x@y', subject: 's', text: 't', messageKey: 'k' })).ok).toBe(false);
    // A PagerDuty op sent to the Slack target is refused too.
    expect(decodePayload(slackOpSchema, row({ kind: 'pagerduty.resolve', pdIncidentId: 'PD1' })).ok).toBe(false);
  });
});
