/** The installation-wide reads behind app/query-activity.ts. */
import type { ActivityEvent, ActivityReads } from '../../app/query-activity.ts';
import type { EventType } from '../../domain/events.ts';
import type { Queryable } from './queryable.ts';

export function activityReads(db: Queryable): ActivityReads {
  return {
    async eventsAfter(afterSeq, limit): Promise<ActivityEvent[]> {
      const r = await db.query<{ seq: string; type: EventType; occurred_at: Date; data: unknown }>(
        'select seq, type, occurred_at, data from incident_events where seq > $1 order by seq limit $2',
        [afterSeq, limit],
      );
      return r.rows.map((x) => ({ seq: Number(x.seq), type: x.type, occurredAt: x.occurred_at.toISOString(), data: x.data }));
    },
    async inFlight() {
      const r = await db.query<{ inbound: string; outbox: string }>(
        `select (select count(*) from inbound_archive where status = 'received')::text as inbound,
                (select count(*) from outbox where status = 'pending')::text as outbox`,
      );
      return { unapplied: Number(r.rows[0]?.inbound ?? 0), undelivered: Number(r.rows[0]?.outbox ?? 0) };
    },
    async latestReportInChannel(channelId) {
      const r = await db.query<{ number: number; markdown: string }>(
        `select i.number, r.markdown from reports r join incidents i on i.id = r.incident_id
         where i.channel_id = $1 order by r.id desc limit 1`,
        [channelId],
      );
      return r.rows[0];
    },
  };
}
