/**
 * The store's reads outside a transaction: an incident found by each way a
 * command names it, and the slice a permission check reads, which must say
 * what the whole state says.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCommand } from '../../src/app/apply-command.ts';
import { declareIncident } from '../../src/app/declare-incident.ts';
import type { IncidentRef } from '../../src/app/incident-ref.ts';
import { asIncidentId, asPdIncidentId, asSlackChannelId, asSlackUserId } from '../../src/domain/ids.ts';
import { appHarness, personMeta, type AppHarness } from '../helpers/app.ts';

const kranz = (key: string) => ({ actor: { kind: 'kranz' as const }, source: { kind: 'kranz' as const }, idempotencyKey: key });

let h: AppHarness;
beforeAll(async () => {
  h = await appHarness();
});
afterAll(async () => h.close());

describe('store reads', () => {
  it('find one incident by id, channel, number and PagerDuty incident, and nothing for a name no incident has', async () => {
    const d = await declareIncident(h.deps, { title: 'Checkout errors', severity: 'SEV2', commanderId: asSlackUserId('UCMD'), pagerDuty: { pdIncidentId: asPdIncidentId('PREADS1') } }, personMeta('reads-d', 'UDECL'));
    if (!d.ok) throw new Error('declare failed');
    const ref = { id: d.incidentId };
    const steps = [
      [{ type: 'record_channel', channelId: asSlackChannelId('CREADS'), channelName: 'inc-reads' }, kranz('reads-ch')],
      [{ type: 'member_joined', userId: asSlackUserId('ULIA') }, kranz('reads-join')],
      [{ type: 'assign_role', role: 'customer-liaison', userId: asSlackUserId('ULIA') }, personMeta('reads-role', 'UCMD')],
    ] as const;
    for (const [command, m] of steps) expect((await applyCommand(h.deps, ref, command, m)).ok).toBe(true);

    const whole = await h.deps.store.transaction((u) => u.incidents.readIncident(d.incidentId));
    if (!whole) throw new Error('the incident was not stored');
    const refs: IncidentRef[] = [ref, { channelId: asSlackChannelId('CREADS') }, { number: whole.number }, { pdIncidentId: asPdIncidentId('PREADS1') }];
    for (const r of refs) {
      expect(await h.deps.store.reads.findIncident(r)).toEqual(whole);
      expect(await h.deps.store.reads.findPermissionSubject(r)).toEqual({
        id: d.incidentId, number: whole.number, channelId: 'CREADS', roles: whole.roles, members: whole.members,
      });
    }
    expect(whole.roles).toEqual({ commander: 'UCMD', customer_liaison: 'ULIA' });
    expect(whole.members).toEqual(expect.arrayContaining(['UDECL', 'UCMD', 'ULIA']));

    const unknown: IncidentRef[] = [
      { id: asIncidentId('00000000-0000-4000-8000-000000000000') }, { channelId: asSlackChannelId('CNONE') },
      { number: 999_999 }, { pdIncidentId: asPdIncidentId('PNONE') },
    ];
    for (const r of unknown) {
      expect(await h.deps.store.reads.findIncident(r)).toBeUndefined();
      expect(await h.deps.store.reads.findPermissionSubject(r)).toBeUndefined();
    }
  });

  it('an incident without a channel yet has no channel in its permission slice', async () => {
    const d = await declareIncident(h.deps, { title: 'No channel yet', severity: 'SEV3' }, personMeta('reads-nochan', 'UDECL'));
    if (!d.ok) throw new Error('declare failed');
    const subject = await h.deps.store.reads.findPermissionSubject({ id: d.incidentId });
    expect(subject).toBeDefined();
    expect(subject && 'channelId' in subject).toBe(false);
    expect(subject?.members).toEqual(['UDECL']);
  });
});
