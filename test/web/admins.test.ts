/**
 * Policy admins see private incidents: in the web view (list, page, API) and
 * in `/incident list`, whether the policy names them by user id or through a
 * Slack user group (expanded with `usergroups.users.list`). Someone who is
 * neither admin nor in the channel still sees no trace of it. (A group Slack
 * cannot list grants nothing: test/app/access.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PERMISSIONS } from '../../src/domain/permissions.ts';
import { asSlackUserGroupId, asSlackUserId } from '../../src/domain/ids.ts';
import { testPolicy } from '../helpers/domain.ts';
import { USERS, outboxDrained } from '../helpers/kranz-harness.ts';
import { command } from '../helpers/slack-e2e.ts';
import { declare, get, OUTSIDER, signIn, startWebHarness, type WebHarness } from '../helpers/web.ts';

const SECRET = 'Board deck shared publicly';
const ADA = { id: 'UADA', name: 'ada', real_name: 'Ada Incident-Manager', email: 'ada@corp.test' };
const IVO = { id: 'UIVO', name: 'ivo', real_name: 'Ivo Security', email: 'ivo@corp.test' };
const MANAGERS = 'S0INCMGRS1';

let h: WebHarness;
let priv = 0;
beforeAll(async () => {
  h = await startWebHarness({
    policy: { ...testPolicy, permissions: { admins: [asSlackUserGroupId(MANAGERS), asSlackUserId(IVO.id)], allow: DEFAULT_PERMISSIONS.allow } },
    standIn: {
      users: [...Object.values(USERS), OUTSIDER, ADA, IVO],
      userGroups: [{ id: MANAGERS, handle: 'incident-managers', users: [ADA.id] }],
    },
  });
  priv = await declare(h, { title: SECRET, severity: 'SEV2', private: true });
  await outboxDrained(h);
}, 60_000);
afterAll(async () => h?.close());

describe('admins and private incidents', () => {
  it('shows the private incident to an admin by user group and to one by user id, in the list, the page and the API', async () => {
    for (const who of [ADA.id, IVO.id]) {
      const cookie = await signIn(h, who);
      expect((await get(h, '/', cookie)).body, who).toContain(SECRET);
      const page = await get(h, `/incidents/${priv}`, cookie);
      expect(page.status, who).toBe(200);
      expect(page.body, who).toContain(SECRET);
      expect((await get(h, `/api/incidents/${priv}`, cookie)).status, who).toBe(200);
    }
    expect(h.slack.workspace.callsTo('usergroups.users.list').map((c) => c.args['usergroup'])).toContain(MANAGERS);
  });

  it('still hides it from someone who is neither in its channel nor an admin', async () => {
    const sam = await signIn(h, USERS.sam.id);
    expect((await get(h, '/', sam)).body).not.toContain(SECRET);
    expect((await get(h, `/incidents/${priv}`, sam)).status).toBe(404);
  });

  it('lists it in /incident list for the admin, not for others', async () => {
    const ada = (await command(h, h.slack.user(ADA.id), 'CGENERAL', 'list')).join('\n');
    expect(ada).toContain(`INC-${priv}`);
    const sam = (await command(h, h.slack.user(USERS.sam.id), 'CGENERAL', 'list')).join('\n');
    expect(sam).not.toContain(`INC-${priv}`);
  });
});
