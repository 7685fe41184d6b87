/**
 * Ids that cannot be swapped. `tsc` checks this file with the rest of the
 * suite: each `@ts-expect-error` line must fail to compile, so a change that
 * lets a channel id pass where a user id belongs (or the reverse) breaks the
 * typecheck. The one runtime test shows the brands cost nothing at run time.
 */
import { describe, expect, it } from 'vitest';
import type { IncidentRef } from '../../src/app/apply-command.ts';
import type { Command } from '../../src/domain/commands.ts';
import type { ChannelRef, Effect } from '../../src/domain/effects.ts';
import {
  asIncidentId, asPdIncidentId, asPdServiceId, asSlackChannelId, asSlackUserId,
  type IncidentId, type PdIncidentId, type SlackChannelId, type SlackUserId,
} from '../../src/domain/ids.ts';

const user = asSlackUserId('U0DANA');
const channel = asSlackChannelId('C0INCIDENT');
const incident = asIncidentId('00000000-0000-4000-8000-000000000001');
const pdIncident = asPdIncidentId('PT4KHLK');
const pdService = asPdServiceId('PSVC123');

/** Never called: it exists for the compiler. */
export function swappedIdsDoNotCompile(): unknown[] {
  return [
    // A channel where a user belongs.
    // @ts-expect-error SlackChannelId is not a SlackUserId
    { type: 'assign_role', role: 'scribe', userId: channel } satisfies Command,
    // @ts-expect-error SlackChannelId is not a SlackUserId
    { type: 'member_joined', userId: channel } satisfies Command,
    // @ts-expect-error a DM goes to a user, not a channel
    { kind: 'user', id: channel } satisfies ChannelRef,
    // A user where a channel belongs.
    // @ts-expect-error SlackUserId is not a SlackChannelId
    { type: 'record_channel', channelId: user, channelName: 'inc-1' } satisfies Command,
    // @ts-expect-error SlackUserId is not a SlackChannelId
    { kind: 'channel', id: user } satisfies ChannelRef,
    // @ts-expect-error SlackUserId is not a SlackChannelId
    { channelId: user } satisfies IncidentRef,
    // PagerDuty ids are neither Kranz ids nor each other.
    // @ts-expect-error PdIncidentId is not an IncidentId
    { id: pdIncident } satisfies IncidentRef,
    // @ts-expect-error IncidentId is not a PdIncidentId
    { kind: 'pagerduty.resolve', pdIncidentId: incident } satisfies Effect,
    // @ts-expect-error PdServiceId is not a PdIncidentId
    { type: 'link_pagerduty', pdIncidentId: pdService } satisfies Command,
    // @ts-expect-error PdIncidentId is not a PdServiceId
    { kind: 'pagerduty.invite_oncall', serviceId: pdIncident } satisfies Effect,
    // A bare string has not been through a boundary that vouches for it.
    // @ts-expect-error string is not a SlackUserId
    { type: 'member_joined', userId: 'U0DANA' } satisfies Command,
    // @ts-expect-error string is not an IncidentId
    { id: '00000000-0000-4000-8000-000000000001' } satisfies IncidentRef,
    // The right ids in the right places compile.
    { type: 'assign_role', role: 'scribe', userId: user } satisfies Command,
    { type: 'record_channel', channelId: channel, channelName: 'inc-1' } satisfies Command,
    { kind: 'pagerduty.page', target: { kind: 'service', serviceId: pdService }, message: 'disk full' } satisfies Effect,
    { id: incident } satisfies IncidentRef,
  ];
}

describe('branded ids', () => {
  it('are the same strings at run time, and read as strings', () => {
    const ids: [SlackUserId, SlackChannelId, IncidentId, PdIncidentId] = [user, channel, incident, pdIncident];
    expect(ids).toEqual(['U0DANA', 'C0INCIDENT', '00000000-0000-4000-8000-000000000001', 'PT4KHLK']);
    const asText: string = user;
    expect(`<@${asText}>`).toBe('<@U0DANA>');
    expect(JSON.parse(JSON.stringify({ user }))).toEqual({ user: 'U0DANA' });
  });
});
