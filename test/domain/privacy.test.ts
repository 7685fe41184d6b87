/**
 * Where a private incident's status updates may go: nowhere outside its
 * channel by default; to the stakeholders or the customers only when the
 * policy's `privacy` keys say so. The keys load from YAML.
 */
import { describe, expect, it } from 'vitest';
import { policyFromData } from '../../src/config/load-policy.ts';
import { relayTargets } from '../../src/domain/handlers/updates.ts';
import type { IncidentState } from '../../src/domain/incident.ts';
import { declare, run, testPolicy } from '../helpers/domain.ts';

const open: IncidentState = run([declare({ customers: ['acme'] })]);
const secret: IncidentState = run([declare({ customers: ['acme'], private: true })]);

describe('privacy: relays of private incidents', () => {
  it('relays an open incident to the customer and the stakeholders, a private one nowhere', () => {
    expect(relayTargets(testPolicy, open)).toEqual(['CACME', 'CSTAKE']);
    expect(relayTargets(testPolicy, secret)).toEqual([]);
  });

  it('relays a private incident where the policy turns it on', () => {
    expect(relayTargets({ ...testPolicy, privacy: { relayPrivateToStakeholders: true, relayPrivateToCustomers: false } }, secret)).toEqual(['CSTAKE']);
    expect(relayTargets({ ...testPolicy, privacy: { relayPrivateToStakeholders: false, relayPrivateToCustomers: true } }, secret)).toEqual(['CACME']);
  });

  it('reads the keys from the policy file, both off by default', () => {
    const off = policyFromData({});
    expect(off.ok && off.policy.privacy).toEqual({ relayPrivateToStakeholders: false, relayPrivateToCustomers: false });
    const on = policyFromData({ privacy: { relay_private_to_stakeholders: true } });
    expect(on.ok && on.policy.privacy).toEqual({ relayPrivateToStakeholders: true, relayPrivateToCustomers: false });
    const typo = policyFromData({ privacy: { relay_private: true } });
    expect(typo.ok).toBe(false);
  });
});
