/**
 * The requests the benches send, built and signed exactly as Slack and
 * PagerDuty build and sign them, so Kranz's real verification path runs.
 */
import { signPagerDutyBody } from '../../src/adapters/pagerduty/signature.ts';
import { buildV3WebhookBody, type WebhookIncident } from '../../src/sandbox/pagerduty/webhook-bodies.ts';
import { formEncode, slackRequestHeaders } from '../../src/sandbox/slack/signing.ts';

/** One HTTP POST, ready to send. */
export interface BenchRequest {
  body: string;
  headers: Record<string, string>;
}

export const SIGNING_SECRET = 'bench-signing-secret';
export const BOT_TOKEN = 'xoxb-bench-token';
export const TEAM_ID = 'T0KRANZ01';
export const PD_WEBHOOK_SECRET = 'bench-pd-webhook-secret';
/** A service the PagerDuty stand-in seeds (with an escalation policy and on-call users). */
export const PD_SERVICE = { id: 'PSVCCHK', name: 'Checkout API' };

/** A signed slash command as Slack POSTs it (form-encoded). */
export function slashCommand(o: { text: string; channelId: string; userId: string; triggerId: string; responseUrl: string; nowSec?: number }): BenchRequest {
  const body = formEncode({
    token: 'bench-verification-token', team_id: TEAM_ID, team_domain: 'kranz-bench', channel_id: o.channelId, channel_name: 'bench',
    user_id: o.userId, user_name: 'bench-user', command: '/incident', text: o.text, api_app_id: 'A0KRANZAPP', is_enterprise_install: 'false',
    response_url: o.responseUrl, trigger_id: o.triggerId,
  });
  const ts = o.nowSec ?? Math.floor(Date.now() / 1000);
  return { body, headers: slackRequestHeaders(SIGNING_SECRET, ts, body, 'application/x-www-form-urlencoded') };
}

/** A PagerDuty-shaped incident on the bench service. */
export function pdIncident(id: string, number: number, title: string): WebhookIncident {
  return { id, number, title, serviceId: PD_SERVICE.id, serviceName: PD_SERVICE.name, escalationPolicyId: 'PEPCHK1', escalationPolicyName: 'Checkout escalation', urgency: 'high', priority: null };
}

/** A signed V3 webhook delivery, compact JSON, with PagerDuty's headers. */
export function pdWebhook(o: { eventType: string; incident: WebhookIncident; eventId: string; agent?: string; note?: string; webhookId?: string }): BenchRequest {
  const body = JSON.stringify(buildV3WebhookBody({
    eventType: o.eventType, incident: o.incident, eventId: o.eventId,
    ...(o.agent ? { agent: { id: 'PAGENT1', summary: o.agent } } : {}),
    ...(o.note ? { note: { content: o.note } } : {}),
  }));
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'PagerDuty-Webhook/V3.0',
      'x-webhook-id': o.webhookId ?? o.eventId,
      'x-webhook-subscription': 'PSUBBENCH',
      'x-pagerduty-signature': signPagerDutyBody(body, [PD_WEBHOOK_SECRET]),
    },
  };
}

/** A V3-looking event id (26 upper-case alphanumerics), unique per (run, i). */
export function eventId(run: string, i: number): string {
  return `01${run.toUpperCase().replace(/[^A-Z0-9]/g, '').padEnd(8, 'X').slice(0, 8)}${String(i).padStart(16, '0')}`;
}
