/** SQL for Slack-side state: messages kept up to date in place, and the channel log. */
import type pg from 'pg';

type Q = Pick<pg.ClientBase, 'query'>;

export async function saveSlot(db: Q, incidentId: string, slot: string, channelId: string, ts: string): Promise<void> {
  await db.query(
    `insert into slack_slots (incident_id, slot, channel_id, ts) values ($1::uuid, $2, $3, $4)
     on conflict (incident_id, slot) do update set channel_id = excluded.channel_id, ts = excluded.ts`,
    [incidentId, slot, channelId, ts],
  );
}

export async function findSlot(db: Q, incidentId: string, slot: string): Promise<{ channelId: string; ts: string } | undefined> {
  const r = await db.query<{ channel_id: string; ts: string }>('select channel_id, ts from slack_slots where incident_id = $1::uuid and slot = $2', [incidentId, slot]);
  const row = r.rows[0];
  return row ? { channelId: row.channel_id, ts: row.ts } : undefined;
}

export interface ChannelMessage {
  channelId: string;
  ts: string;
  incidentId?: string;
  userId?: string;
  text: string;
  threadTs?: string;
}

/** Records a message of an incident channel; a redelivery is a no-op. */
export async function recordChannelMessage(db: Q, m: ChannelMessage): Promise<void> {
  await db.query(
    `insert into slack_messages (channel_id, ts, incident_id, user_id, text, thread_ts) values ($1, $2, $3::uuid, $4, $5, $6)
     on conflict (channel_id, ts) do nothing`,
    [m.channelId, m.ts, m.incidentId ?? null, m.userId ?? null, m.text, m.threadTs ?? null],
  );
}

/** An edit keeps the previous text in `history`; a deleted message takes none (an edit event that came late). */
export async function editChannelMessage(db: Q, channelId: string, ts: string, text: string, at: Date): Promise<void> {
  await db.query(
    `update slack_messages set history = history || jsonb_build_array(jsonb_build_object('text', text, 'replacedAt', $4::text)), text = $3
     where channel_id = $1 and ts = $2 and text is distinct from $3 and not deleted`,
    [channelId, ts, text, at.toISOString()],
  );
}

/**
 * Marks a message deleted. A message the log does not have (Kranz did not see
 * it posted) is kept as deleted, without text, so that a flag of it arriving
 * later finds it gone, and its own message event, should it come late, adds nothing.
 */
export async function deleteChannelMessage(db: Q, m: { channelId: string; ts: string; incidentId: string }): Promise<void> {
  await db.query(
    `insert into slack_messages (channel_id, ts, incident_id, text, deleted) values ($1, $2, $3::uuid, '', true)
     on conflict (channel_id, ts) do update set deleted = true`,
    [m.channelId, m.ts, m.incidentId],
  );
}

export async function findChannelMessage(db: Q, channelId: string, ts: string): Promise<(ChannelMessage & { deleted: boolean }) | undefined> {
  const r = await db.query<{ channel_id: string; ts: string; incident_id: string | null; user_id: string | null; text: string; thread_ts: string | null; deleted: boolean }>(
    'select * from slack_messages where channel_id = $1 and ts = $2',
    [channelId, ts],
  );
  const x = r.rows[0];
  if (!x) return undefined;
  return {
    channelId: x.channel_id, ts: x.ts, text: x.text, deleted: x.deleted,
    ...(x.incident_id ? { incidentId: x.incident_id } : {}),
    ...(x.user_id ? { userId: x.user_id } : {}),
    ...(x.thread_ts ? { threadTs: x.thread_ts } : {}),
  };
}
