/**
 * Private means private, in `/incident list`: a private incident appears
 * only to the people in its channel; anyone else does not learn it exists.
 * Titles are shown as text: a title holding `<!channel>` does not become a
 * mention in the list.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declareIncident } from '../../src/app/declare-incident.ts';
import { asSlackChannelId, asSlackUserId } from '../../src/domain/ids.ts';
import { outboxDrained, startHarness, USERS, type Harness } from '../helpers/kranz-harness.ts';
import { command } from '../helpers/slack-e2e.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const SECRET = 'Acquisition data room exposed <!channel>';

describe('/incident list and private incidents', () => {
  it('shows a private incident to its channel members only, and never as a mention', async () => {
    const dana = h.slack.user(USERS.dana.id);
    const sam = h.slack.user(USERS.sam.id);
    await command(h, dana, 'CGENERAL', 'declare SEV3 Public search slowness');
    const declared = await declareIncident(h.kranz.deps, { title: SECRET, severity: 'SEV2', private: true, commanderId: asSlackUserId(USERS.dana.id) }, {
      actor: { kind: 'user', userId: asSlackUserId(USERS.dana.id) }, source: { kind: 'slack', channelId: asSlackChannelId('CGENERAL') }, idempotencyKey: 'private-1',
    });
    expect(declared.ok).toBe(true);
    h.kranz.kick();
    await outboxDrained(h);
    const privateChannel = [...h.slack.workspace.channels.values()].find((c) => c.is_private && c.name.startsWith('inc-2-'));
    expect(privateChannel).toBeDefined();

    const samSees = (await command(h, sam, 'CGENERAL', 'list')).join('\n');
    expect(samSees).toContain('Public search slowness');
    expect(samSees).not.toContain('Acquisition');
    expect(samSees).not.toContain('INC-2');
    expect(samSees).not.toContain(privateChannel!.id);

    const danaSees = (await command(h, dana, 'CGENERAL', 'list')).join('\n');
    expect(danaSees).toContain('INC-2');
    expect(danaSees).toContain('Acquisition data room exposed &lt;!channel&gt;');
    expect(danaSees).not.toContain('<!channel>');
  });
});
