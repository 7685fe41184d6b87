/**
 * What a watcher of the whole installation reads (the demo's live log and its
 * "has Kranz settled?" check, a tail of activity): every incident's events in
 * log order, what is still in flight, and the report stored last. Read-only,
 * one statement each, outside any use-case transaction.
 */
import type { EventType } from '../domain/events.ts';

/** One stored event, as the log holds it (`seq` orders all incidents' events). */
export interface ActivityEvent {
  seq: number;
  type: EventType;
  occurredAt: string;
  data: unknown;
}

/** Work acknowledged but not finished: inbound requests not yet applied, outbox rows not yet delivered. */
export interface InFlight {
  unapplied: number;
  undelivered: number;
}

export interface ActivityReads {
  eventsAfter(afterSeq: number, limit: number): Promise<ActivityEvent[]>;
  inFlight(): Promise<InFlight>;
  latestReportInChannel(channelId: string): Promise<{ number: number; markdown: string } | undefined>;
}

/** Every event of every incident stored after `afterSeq`, oldest first (read `page` at a time). */
export async function activitySince(reads: ActivityReads, afterSeq: number, page = 1000): Promise<ActivityEvent[]> {
  const all: ActivityEvent[] = [];
  for (let after = afterSeq; ;) {
    const got = await reads.eventsAfter(after, page);
    all.push(...got);
    if (got.length < page) return all;
    after = got[got.length - 1]!.seq;
  }
}

/** True when nothing acknowledged waits to be applied or delivered. */
export async function isSettled(reads: ActivityReads): Promise<{ settled: boolean } & InFlight> {
  const f = await reads.inFlight();
  return { settled: f.unapplied === 0 && f.undelivered === 0, ...f };
}

/** The report drafted last for the incident of `channelId`, with the incident's number. */
export function latestReport(reads: ActivityReads, channelId: string): Promise<{ number: number; markdown: string } | undefined> {
  return reads.latestReportInChannel(channelId);
}
