/**
 * Creates the incident channel, or adopts one Kranz created before it could
 * record it (a crash between Slack's answer and our commit). Adopting by name
 * is safe only for a channel the bot itself created with Kranz's purpose
 * marker or exactly our name, so a human's channel is never taken over.
 */
import type { WebClient } from '@slack/web-api';
import { slackErrorCode } from './errors.ts';

export interface ChannelSpec {
  incidentId: string;
  private: boolean;
  botUserId: string;
  /** The name for attempt n (1 = the template's name, 2+ = with a suffix). */
  nameFor: (n: number) => string;
  purpose: string;
}

interface SlackChannel {
  id?: string;
  name?: string;
  creator?: string;
  purpose?: { value?: string };
  is_archived?: boolean;
}

const MAX_SUFFIX = 20;

export async function adoptOrCreateChannel(client: WebClient, spec: ChannelSpec): Promise<{ id: string; name: string; adopted: boolean }> {
  for (let n = 1; n <= MAX_SUFFIX; n++) {
    const name = spec.nameFor(n);
    try {
      const r = await client.conversations.create({ name, is_private: spec.private });
      const id = r.channel?.id ?? '';
      await client.conversations.setPurpose({ channel: id, purpose: spec.purpose });
      return { id, name, adopted: false };
    } catch (e) {
      if (slackErrorCode(e) !== 'name_taken') throw e;
      const existing = await findChannelByName(client, name, spec.private);
      if (existing?.id && isOurs(existing, spec)) {
        // The crash came before setPurpose: set it now, so the marker is there for people and for the next adoption.
        if (!existing.purpose?.value) await client.conversations.setPurpose({ channel: existing.id, purpose: spec.purpose });
        return { id: existing.id, name, adopted: true };
      }
      // Someone else's channel: try the next suffix.
    }
  }
  throw Object.assign(new Error(`no free channel name after ${MAX_SUFFIX} tries`), { code: 'slack_webapi_platform_error', data: { error: 'name_taken' } });
}

function isOurs(ch: SlackChannel, spec: ChannelSpec): boolean {
  if (ch.is_archived) return false;
  if (ch.purpose?.value?.includes(`kranz:${spec.incidentId}`)) return true;
  // Created by us but the purpose never got set: the crash window between create and setPurpose.
  return ch.creator === spec.botUserId && !ch.purpose?.value;
}

async function findChannelByName(client: WebClient, name: string, isPrivate: boolean): Promise<SlackChannel | undefined> {
  let cursor: string | undefined;
  for (let page = 0; page < 50; page++) {
    const r = await client.conversations.list({ types: isPrivate ? 'private_channel' : 'public_channel', limit: 1000, exclude_archived: true, ...(cursor ? { cursor } : {}) });
    const found = (r.channels as SlackChannel[] | undefined)?.find((c) => c.name === name);
    if (found) return found;
    cursor = r.response_metadata?.next_cursor || undefined;
    if (!cursor) return undefined;
  }
  return undefined;
}
