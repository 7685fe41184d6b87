/**
 * Helpers shared by the Slack end-to-end tests: signed (or deliberately
 * badly signed) raw POSTs to Kranz, what one person saw privately, and row
 * counts to prove that nothing was recorded.
 */
import { signSlackRequest } from '../../src/sandbox/slack/index.ts';
import type { DeliveryRecord, SimulatedUser } from '../../src/sandbox/slack/index.ts';
import { SIGNING_SECRET, outboxDrained, type Harness } from './kranz-harness.ts';

export interface RawPostOptions {
  contentType?: string;
  /** Unix seconds for X-Slack-Request-Timestamp; defaults to now. */
  timestampSec?: number;
  /** `undefined`: sign correctly; `null`: send no signature; a string: send that signature. */
  signature?: string | null;
  /** Adds X-Slack-Retry-Num, as Slack does when it re-sends. */
  retryNum?: number;
  secret?: string;
}

/** POSTs a raw body to Kranz's `/slack/events`, signed as Slack would unless told otherwise. */
export async function postToKranz(h: Harness, rawBody: string, o: RawPostOptions = {}): Promise<{ status: number; body: string }> {
  const ts = o.timestampSec ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-type': o.contentType ?? 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(ts),
  };
  if (o.signature !== null) headers['x-slack-signature'] = o.signature ?? signSlackRequest(o.secret ?? SIGNING_SECRET, ts, rawBody);
  if (o.retryNum !== undefined) {
    headers['x-slack-retry-num'] = String(o.retryNum);
    headers['x-slack-retry-reason'] = 'http_timeout';
  }
  const res = await fetch(`${h.kranz.url}/slack/events`, { method: 'POST', headers, body: rawBody });
  return { status: res.status, body: await res.text() };
}

/** Sends a request the stand-in already delivered again, byte for byte, freshly signed (a Slack retry). */
export function resend(h: Harness, d: DeliveryRecord, retryNum = 1): Promise<{ status: number; body: string }> {
  return postToKranz(h, d.rawBody, { contentType: d.headers['content-type'] ?? 'application/x-www-form-urlencoded', retryNum });
}

/** Every private message (ack, response_url, chat.postEphemeral) a person saw, oldest first. */
export function ephemeralTexts(h: Harness, userId: string, channelId?: string): string[] {
  return h.slack.workspace.ephemerals.filter((e) => e.user === userId && (!channelId || e.channel === channelId)).map((e) => e.text);
}

/**
 * Runs a slash command, waits until Kranz applied it and answered, and
 * returns the private messages it produced for the user.
 */
export async function command(h: Harness, user: SimulatedUser, channelId: string, text: string): Promise<string[]> {
  const before = h.slack.workspace.ephemerals.length;
  const r = await user.slashCommand(channelId, '/incident', text);
  if (r.status !== 200) throw new Error(`/incident ${text} answered HTTP ${r.status}`);
  await outboxDrained(h);
  return h.slack.workspace.ephemerals.slice(before).filter((e) => e.user === user.id).map((e) => e.text);
}

/** `select count(*)` as a number. */
export async function count(h: Harness, sql: string, params: unknown[] = []): Promise<number> {
  const r = await h.pool.query<{ n: string }>(`select count(*)::text as n from (${sql}) x`, params);
  return Number(r.rows[0]?.n ?? 'NaN');
}

/** How many rows each table that records inbound work holds, to prove a request changed nothing. */
export async function recordedCounts(h: Harness): Promise<Record<string, number>> {
  const tables = ['inbound_archive', 'incident_events', 'incidents', 'command_keys', 'outbox', 'slack_messages'];
  const out: Record<string, number> = {};
  for (const t of tables) out[t] = await count(h, `select 1 from ${t}`);
  return out;
}

/** Outbox rows that did not end delivered (should be none). */
export async function undelivered(h: Harness): Promise<{ op: string; status: string; last_error: string | null }[]> {
  const r = await h.pool.query<{ op: string; status: string; last_error: string | null }>("select op, status, last_error from outbox where status <> 'delivered' order by id");
  return r.rows;
}
