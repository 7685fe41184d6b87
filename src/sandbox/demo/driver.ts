/**
 * What the story's people do, done the way they would do it: slash commands,
 * the status update modal, messages and reactions through the Slack
 * stand-in, signed webhooks from "PagerDuty". After each action the driver
 * waits until Kranz has applied it and delivered what it queued, then prints
 * what Kranz did, so every line of the live log follows its cause.
 */
import { isSettled } from '../../app/query-activity.ts';
import type { Kranz } from '../../runtime.ts';
import type { Status } from '../../domain/events.ts';
import type { PagerDutyStandIn } from '../pagerduty/stand-in.ts';
import { sendPagerDutyWebhook, type WebhookEventSpec, type WebhookIncident } from '../pagerduty/webhook-sender.ts';
import type { SlackStandIn } from '../slack/index.ts';
import { PAGERDUTY } from './cast.ts';
import type { LiveLog } from './live-log.ts';
import type { StoryClock } from './story-clock.ts';

/** How long one action may take to settle before the demo gives up (real ms). */
const SETTLE_TIMEOUT_MS = 20_000;
/** How long pending work may wait with the clock standing still before the clock runs for it (real ms). */
const CLOCK_WAIT_MS = 150;
/** How much of a command the live log shows. */
const COMMAND_CHARS = 110;

/** Everything the driver acts through. */
export interface DriverDeps {
  kranz: Kranz;
  slack: SlackStandIn;
  pd: PagerDutyStandIn;
  clock: StoryClock;
  log: LiveLog;
  /** Simulated minutes per real second while the story pauses between steps; Infinity: no pauses. */
  speed: number;
}

/** The customer-facing part of a status update: what the status page and the emails say. */
export interface CustomerFacing {
  /** The status page incident's name and the email subject (only needed the first time). */
  title?: string;
  /** Impact per status page component (the policy's service keys). */
  impact?: Record<string, 'none' | 'degraded_performance' | 'partial_outage' | 'major_outage'>;
  /** Whether the responder ticks "Publish" on the review. */
  publish: boolean;
}

/** A person in the story, as the live log names them (`role` may differ from the cast's, e.g. before taking command). */
export interface Actor {
  id: string;
  real_name: string;
  role: string;
}

/** Drives the story against a running Kranz. */
export class StoryDriver {
  /** The incident channel, once Kranz has created it. */
  channelId = '';

  constructor(private readonly d: DriverDeps) {}

  /** Waits (at the demo's pace) and moves the clock to T+`minutes`. */
  async at(minutes: number): Promise<void> {
    const gap = minutes - this.d.clock.minutes();
    if (gap > 0 && Number.isFinite(this.d.speed) && this.d.speed > 0) await sleep((gap / this.d.speed) * 1000);
    this.d.clock.at(minutes);
  }

  /** Runs `/incident <text>` as `who` in the incident channel; fails the story when Kranz refuses it. */
  async command(who: Actor, text: string): Promise<string> {
    this.d.log.person(who, cut(`/incident ${readable(text)}`, COMMAND_CHARS));
    const reply = await this.d.slack.user(who.id).slashCommand(this.channelId, '/incident', text);
    if (reply.status !== 200) throw new Error(`/incident ${text}: Kranz answered HTTP ${reply.status}`);
    // Kranz answers in its ack when the command applied in time, else on the response_url.
    const answer = answerText(reply.json) ?? answerText((await this.d.slack.waitFor(() => this.d.slack.workspace.responseUrlPosts.find((p) => p.url === reply.responseUrl), { timeoutMs: SETTLE_TIMEOUT_MS, what: `Kranz's answer to /incident ${text}` })).body) ?? '';
    if (answer.startsWith(':warning:')) throw new Error(`/incident ${text}: Kranz refused it: ${answer}`);
    await this.settle();
    return answer;
  }

  /**
   * `/incident update`, then fills in and submits the modal Kranz opens. With
   * `customers`, also the customer-facing part (title, impact per status page
   * component); Kranz then shows what customers will get, and `who` ticks
   * "Publish" on that review.
   */
  async statusUpdate(who: Actor, status: Status, summary: string, next: string, customers?: CustomerFacing): Promise<void> {
    this.d.log.person(who, `/incident update → ${status}, next update in ${next}: ${cut(`"${summary}"`, COMMAND_CHARS - 40)}`);
    const { slack } = this.d;
    await slack.user(who.id).slashCommand(this.channelId, '/incident', 'update');
    const modal = await slack.waitFor(() => {
      const v = slack.workspace.topModal(who.id);
      return v?.open && v.callback_id === 'status_update' ? v : undefined;
    }, { timeoutMs: SETTLE_TIMEOUT_MS, what: 'the status update modal' });
    const values: Record<string, unknown> = { status, summary, next };
    if (customers?.title) values['cf_title'] = customers.title;
    for (const [service, impact] of Object.entries(customers?.impact ?? {})) values[`cf_impact_${service}`] = impact;
    const r = await slack.user(who.id).submitView(modal.id, values);
    if (r.status !== 200 || r.responseAction === 'errors') throw new Error(`the status update modal was refused: ${r.body}`);
    if (r.responseAction === 'update' && r.view?.callback_id === 'status_update_review') {
      // The form opened before the review: tell it first.
      await this.d.log.flush();
      const impact = Object.entries(customers?.impact ?? {}).filter(([, v]) => v !== 'none').map(([k, v]) => `${k}: ${v.replace(/_/g, ' ')}`).join(', ');
      this.d.log.person(who, `reviews what customers will get${customers?.title ? ` ("${customers.title}"` : ' ('}${impact ? `${customers?.title ? '; ' : ''}${impact}` : ''}) and ${customers?.publish ? 'ticks "Publish"' : 'leaves "Publish" unticked'}`);
      const review = await slack.user(who.id).submitView(r.view.id, customers?.publish ? { publish: ['publish'] } : {});
      if (review.status !== 200) throw new Error(`the update review was refused: ${review.body}`);
    }
    await this.settle();
  }

  /** Posts a message in the incident channel as `who`; returns its ts. */
  async say(who: Actor, text: string): Promise<string> {
    this.d.log.person(who, `says in the channel: "${cut(text, COMMAND_CHARS)}"`);
    const m = await this.d.slack.user(who.id).postMessage(this.channelId, text);
    await this.settle();
    return m.ts;
  }

  /** Reacts with 📌 to a message, which puts it on the incident timeline. */
  async pin(who: Actor, ts: string, whose: string): Promise<void> {
    this.d.log.person(who, `reacts 📌 to ${whose}'s message`);
    await this.d.slack.user(who.id).react(this.channelId, ts, 'pushpin');
    await this.settle();
  }

  /** `who` joins the incident channel. */
  async join(who: Actor): Promise<void> {
    this.d.log.person(who, 'joins the incident channel');
    await this.d.slack.user(who.id).join(this.channelId);
    await this.settle();
  }

  /** Sends a signed PagerDuty V3 webhook about the demo's PagerDuty incident. */
  async webhook(eventType: string, told: string, extra: Partial<WebhookEventSpec> = {}): Promise<void> {
    this.d.log.pagerDuty(told);
    const r = await sendPagerDutyWebhook({
      url: `${this.d.kranz.url}/pagerduty/webhook`,
      secrets: [PAGERDUTY.webhookSecret],
      event: { eventType, incident: this.pdIncident(), occurredAt: this.d.clock.now().toISOString(), ...extra },
    });
    if (r.status < 200 || r.status > 299) throw new Error(`PagerDuty webhook ${eventType}: Kranz answered HTTP ${r.status} ${r.body}`);
    await this.settle();
  }

  /**
   * Waits until Kranz has applied every request it acknowledged and delivered
   * everything it queued, then prints what it did.
   */
  async settle(): Promise<void> {
    await this.d.slack.waitForDeliveries();
    const start = Date.now();
    for (;;) {
      const s = await isSettled(this.d.kranz.activity);
      if (s.settled) break;
      if (Date.now() - start > SETTLE_TIMEOUT_MS) throw new Error(`Kranz did not settle: ${s.unapplied} requests unapplied, ${s.undelivered} deliveries pending`);
      // Work still pending after a moment is usually waiting on the clock (a retry's backoff): let time pass for it.
      if (Date.now() - start > CLOCK_WAIT_MS) this.d.clock.run();
      await sleep(20);
    }
    this.d.clock.hold();
    await this.d.log.flush();
  }

  /** Waits (real time) until a message matching `match` appears in the incident channel. */
  async messageIn(match: (text: string) => boolean, what: string, timeoutMs = SETTLE_TIMEOUT_MS): Promise<string> {
    const m = await this.d.slack.waitFor(() => this.d.slack.workspace.history(this.channelId).find((x) => match(x.text)), { timeoutMs, what });
    return m.text;
  }

  /** Opens the demo's incident in the PagerDuty stand-in, as PagerDuty does when the alert fires. */
  openPagerDutyIncident(): void {
    const i = this.d.pd.state.addIncident({
      id: PAGERDUTY.incident.id, title: PAGERDUTY.incident.title, serviceId: PAGERDUTY.service, urgency: 'high', priorityId: PAGERDUTY.priorityP1.id,
    });
    // A realistic incident number, rather than the stand-in's first one, keeps it apart from Kranz's INC-1.
    i.number = PAGERDUTY.incident.number;
  }

  /** Changes the incident in the PagerDuty stand-in, as PagerDuty would before sending the webhook. */
  setPagerDutyStatus(status: 'acknowledged' | 'resolved'): void {
    const i = this.d.pd.state.incidents.get(PAGERDUTY.incident.id);
    if (!i) return;
    i.status = status;
    i.updatedAt = this.d.clock.now().toISOString();
  }

  /** The demo's PagerDuty incident as webhooks describe it. */
  pdIncident(): WebhookIncident {
    const i = this.d.pd.state.incidents.get(PAGERDUTY.incident.id);
    return {
      id: PAGERDUTY.incident.id,
      number: PAGERDUTY.incident.number,
      title: PAGERDUTY.incident.title,
      serviceId: PAGERDUTY.service,
      serviceName: PAGERDUTY.serviceName,
      escalationPolicyId: PAGERDUTY.escalationPolicy,
      escalationPolicyName: 'Database on-call',
      urgency: 'high',
      priority: PAGERDUTY.priorityP1,
      incidentKey: null,
      assignees: (i?.assigneeIds ?? []).map((id) => ({ id, summary: this.d.pd.state.users.get(id)?.name ?? id })),
      ...(i ? { status: i.status, createdAt: i.createdAt } : {}),
    };
  }
}

/** Real-time sleep. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A command as the person typed it: `@mara` rather than Slack's `<@U…|mara>`. */
function readable(text: string): string {
  return text.replace(/<@[UW][A-Z0-9]+\|([^>]+)>/g, '@$1');
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text;
}

/** The text of an answer to a command (the ack's body or a response_url post), if it has one. */
function answerText(body: unknown): string | undefined {
  const text = typeof body === 'object' && body !== null ? (body as { text?: unknown }).text : undefined;
  return typeof text === 'string' && text !== '' ? text : undefined;
}
