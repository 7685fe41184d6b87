/**
 * Who sees what while Slack cannot say who is in a private incident's
 * channel (`conversations.members` failing): the private incident is
 * answered exactly as a missing one, for members and non-members alike, so
 * the answer tells nobody that it exists; the lists say only that some
 * incidents may be left out, never how many.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USERS, outboxDrained } from '../helpers/kranz-harness.ts';
import { declare, get, signIn, startWebHarness, type WebHarness } from '../helpers/web.ts';

const SECRET = 'Auditor found plaintext passwords';
const MISSING = 999_999;

let h: WebHarness;
let dana: string; // commander, member of the private channel
let sam: string; // not in it
let priv: number;

beforeAll(async () => {
  h = await startWebHarness();
  await declare(h, { title: 'Search is slow', severity: 'SEV3' });
  priv = await declare(h, { title: SECRET, severity: 'SEV2', private: true });
  await outboxDrained(h);
  dana = await signIn(h, USERS.dana.id);
  sam = await signIn(h, USERS.sam.id);
}, 60_000);
afterAll(async () => h?.close());

/** The answer with the incident's number taken out, so two numbers' answers compare. */
const same = (r: { status: number; body: string }, n: number): string => `${r.status} ${r.body.replaceAll(`INC-${n}`, 'INC-N')}`;

describe('private incidents while Slack cannot list channel members', () => {
  it('answers a private incident exactly as a missing one, for a member and a non-member, and says to try again', async () => {
    // Nothing has asked about the private channel yet, so no cached member list answers for Slack.
    h.slack.faults.outage('conversations.members', { times: 10_000 });
    try {
      for (const who of [dana, sam]) {
        for (const sub of ['', '/report', '/report/acme', '/live']) {
          const missing = await get(h, `/incidents/${MISSING}${sub}`, who);
          const hidden = await get(h, `/incidents/${priv}${sub}`, who);
          expect(hidden.status, sub).toBe(404);
          expect(same(hidden, priv), sub).toBe(same(missing, MISSING));
          expect(hidden.body, sub).not.toContain(SECRET);
          expect(hidden.body, sub).toContain('try again in a minute');
        }
        const missing = await get(h, `/api/incidents/${MISSING}`, who);
        const hidden = await get(h, `/api/incidents/${priv}`, who);
        expect(hidden.status).toBe(404);
        expect(same(hidden, priv)).toBe(same(missing, MISSING));
        expect(JSON.parse(hidden.body)).toMatchObject({ error: 'not_found', reason: expect.stringContaining('try again in a minute') });
      }
      // The lists leave it out and say so without counting private channels.
      const api = JSON.parse((await get(h, '/api/incidents', dana)).body) as Record<string, unknown>;
      expect(api).toMatchObject({ total: 1, partial: true });
      expect(api).not.toHaveProperty('hiddenUnchecked');
      const list = await get(h, '/', dana);
      expect(list.body).not.toContain(SECRET);
      expect(list.body).toContain('some private incidents may be left out');
      expect(list.body).not.toMatch(/\d+ private incident channel/);
      const analytics = await get(h, '/analytics', dana);
      expect(analytics.body).toContain('some private incidents may not be counted');
      expect(analytics.body).not.toMatch(/\d+ private incident channel/);
    } finally {
      h.slack.faults.clear('conversations.members');
    }
    // Once Slack answers again, the member sees it.
    expect((await get(h, `/incidents/${priv}`, dana)).body).toContain(SECRET);
    expect(JSON.parse((await get(h, '/api/incidents', dana)).body)).not.toHaveProperty('partial');
  });
});
