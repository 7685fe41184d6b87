/**
 * Steps the `/incident link` and `/incident unlink` end-to-end tests share:
 * a slash command as a person (waiting until it is applied and delivered),
 * an incident declared by hand, and what the database then holds.
 */
import { expect } from 'vitest';
import { incidentChannel } from './kranz-harness.ts';
import { ephemeralTexts } from './slack-e2e.ts';
import { rows, settled, type PdHarness } from './pd-harness.ts';

type Person = ReturnType<PdHarness['slack']['user']>;

/** Runs `/incident <text>` as `who` in `channel`, waits until everything is applied and delivered, and returns what she was told privately. */
export async function slashAs(h: PdHarness, who: Person, channel: string, text: string): Promise<string[]> {
  const before = ephemeralTexts(h, who.id).length;
  const r = await who.slashCommand(channel, '/incident', text);
  expect(r.status).toBe(200);
  await settled(h);
  return ephemeralTexts(h, who.id).slice(before);
}

/** Declares by hand in #general as `who`; returns the incident and its channel once Kranz has set it up. */
export async function declareByHand(h: PdHarness, who: Person, title: string): Promise<{ id: string; number: number; channel: string }> {
  await slashAs(h, who, 'CGENERAL', `declare SEV2 ${title}`);
  const [row] = await rows<{ id: string; number: number }>(h, 'select id, number from incidents where title = $1', [title]);
  const channel = await incidentChannel(h, row!.number);
  await settled(h);
  return { id: row!.id, number: row!.number, channel: channel.id };
}

/** The incident's events, oldest first. */
export const eventsOf = (h: PdHarness, incidentId: string) =>
  rows<{ type: string; data: Record<string, unknown>; idempotency_key: string }>(h, 'select type, data, idempotency_key from incident_events where incident_id = $1 order by seq', [incidentId]);

/** The Kranz incident a PagerDuty incident is linked to, if any. */
export const linkOf = async (h: PdHarness, pdId: string): Promise<string | undefined> =>
  (await rows<{ incident_id: string }>(h, 'select incident_id from pagerduty_links where pd_incident_id = $1', [pdId]))[0]?.incident_id;
