/** Builders for pure domain tests: a fixed clock, counting ids, a test policy. */
import type { Command } from '../../src/domain/commands.ts';
import { DEFAULT_POLICY } from '../../src/domain/default-policy.ts';
import type { Actor, IncidentEvent } from '../../src/domain/events.ts';
import type { IncidentState } from '../../src/domain/incident.ts';
import type { Policy } from '../../src/domain/policy.ts';
import { transition, type TransitionEnv } from '../../src/domain/transition.ts';
import { asIncidentId, asSlackChannelId, asSlackUserId } from '../../src/domain/ids.ts';

export const T0 = new Date('2026-03-02T13:00:00.000Z');
export const at = (min: number): Date => new Date(T0.getTime() + min * 60_000);

export const testPolicy: Policy = {
  ...DEFAULT_POLICY,
  announcementsChannel: asSlackChannelId('CANNOUNCE'),
  stakeholderChannel: asSlackChannelId('CSTAKE'),
  customers: [
    {
      id: 'acme',
      name: 'Acme Corp',
      mainContact: { name: 'Dana Reyes', phone: '+1 555 0100', email: 'dana@acme.test' },
      slackChannel: asSlackChannelId('CACME'),
      sla: { targetPercent: 99.9, periodDays: 30 },
      serviceCredits: [{ belowPercent: 99.9, creditPercent: 10 }, { belowPercent: 99, creditPercent: 25 }],
    },
  ],
};

/**
 * The test policy with a second customer (no Slack channel). With two
 * configured, a declare that names none attaches none: for tests about other
 * things than customers, whose incidents should stay without one.
 */
export const twoCustomerPolicy: Policy = {
  ...testPolicy,
  customers: [...testPolicy.customers, { id: 'globex', name: 'Globex', mainContact: { name: 'Hank Scorpio' }, sla: { targetPercent: 99.5, periodDays: 30 }, serviceCredits: [] }],
};

export function envFor(overrides: Partial<TransitionEnv> = {}): TransitionEnv {
  let n = 0;
  return {
    policy: testPolicy,
    incidentId: asIncidentId('00000000-0000-4000-8000-000000000001'),
    actor: { kind: 'user', userId: asSlackUserId('UCOMMANDER') } satisfies Actor,
    source: { kind: 'slack', channelId: asSlackChannelId('CINC') },
    idempotencyKey: `k-${Math.random()}`,
    newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
    ...overrides,
  };
}

/** Applies commands in order, failing loudly on a domain error. */
export function run(commands: Command[], start?: IncidentState, now = T0): IncidentState {
  let s = start;
  for (const c of commands) {
    const r = transition(s, c, now, envFor());
    if (!r.ok) throw new Error(`${c.type}: ${JSON.stringify(r.error)}`);
    s = r.value.state;
  }
  if (!s) throw new Error('no state');
  return s;
}

/**
 * Applies each command at its minute after T0 (13:00 UTC) under `policy` and
 * returns the events, failing loudly on a refusal: a log to draft reports from.
 */
export function play(policy: Policy, steps: readonly [number, Command][]): IncidentEvent[] {
  let s: IncidentState | undefined;
  const events: IncidentEvent[] = [];
  let n = 0;
  for (const [min, c] of steps) {
    const env = envFor({ policy, newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}` });
    const r = transition(s, c, at(min), env);
    if (!r.ok) throw new Error(`${c.type}: ${JSON.stringify(r.error)}`);
    s = r.value.state;
    events.push(...r.value.events);
  }
  return events;
}

export const declare = (o: Partial<Extract<Command, { type: 'declare' }>> = {}): Command => ({
  type: 'declare', number: 42, title: 'Checkout API returns 500s', severity: 'SEV1', customers: ['acme'], ...o,
});
