/**
 * How the customer-facing side follows the incident's resolution: the page
 * incident is resolved whenever the incident is (exactly once, however it got
 * there), later updates add to it rather than opening a second one, and the
 * email contacts hear of the resolution in their thread.
 */
import { describe, expect, it } from 'vitest';
import type { Command } from '../../src/domain/commands.ts';
import type { Effect } from '../../src/domain/effects.ts';
import type { IncidentState } from '../../src/domain/incident.ts';
import type { Policy } from '../../src/domain/policy.ts';
import { transition } from '../../src/domain/transition.ts';
import { declare, envFor, run, T0, testPolicy } from '../helpers/domain.ts';

const policy = (o: Partial<NonNullable<Policy['statuspage']>> = {}): Policy => ({
  ...testPolicy,
  statuspage: { pageId: 'page00000001', publish: 'ask', publishPrivate: false, components: [{ service: 'checkout', componentId: 'comp00000001', pagerDutyServices: [] }], outlets: { statusPage: true, email: true }, ...o },
});
const input = { title: 'Payments are failing', impact: { checkout: 'major_outage' as const }, approved: true };

/** Runs commands against one policy; records the page incident's id as the deliverer would after the create. */
function session(p: Policy) {
  let s: IncidentState = run([declare()]);
  let t = T0.getTime();
  const out = {
    get state() { return s; },
    step(c: Command): Effect[] {
      t += 60_000;
      const r = transition(s, c, new Date(t), envFor({ policy: p }));
      if (!r.ok) throw new Error(`${c.type}: ${JSON.stringify(r.error)}`);
      s = r.value.state!;
      return r.value.effects.filter((e) => e.kind === 'statuspage.publish' || e.kind === 'email.send');
    },
    created(pageIncidentId: string) {
      const page = s.customerFacing!.statusPage!;
      s = { ...s, customerFacing: { ...s.customerFacing!, statusPage: { ...page, pageIncidentId } } };
    },
  };
  return out;
}
const pageFx = (fx: Effect[]) => fx.filter((e) => e.kind === 'statuspage.publish');

describe('resolving the page incident', () => {
  it('a resolved update that is not published still resolves the open page incident, once', () => {
    const x = session(policy());
    x.step({ type: 'post_status_update', status: 'investigating', summary: 'Pay fail', customer: input });
    x.created('spinc1');
    const fx = x.step({ type: 'post_status_update', status: 'resolved', summary: 'Fixed, internal words', customer: { approved: false } });
    expect(pageFx(fx)).toEqual([{ kind: 'statuspage.publish', action: 'resolve', pageId: 'page00000001', status: 'resolved', body: 'This incident has been resolved.', components: { comp00000001: 'operational' }, pageIncidentId: 'spinc1' }]);
    expect(x.state.customerFacing?.statusPage).toMatchObject({ resolved: true, pageIncidentId: 'spinc1', components: { comp00000001: 'operational' } });
    expect(fx.some((e) => e.kind === 'statuspage.publish' && e.body.includes('internal'))).toBe(false);
    // Nothing resolves it a second time.
    expect(pageFx(x.step({ type: 'close' }))).toEqual([]);
  });

  it('a resolved update after the severity fell below customer impact resolves the page incident', () => {
    const x = session(policy({ publish: 'auto' }));
    x.step({ type: 'post_status_update', status: 'investigating', summary: 'Pay fail', customer: input });
    x.created('spinc1');
    x.step({ type: 'change_severity', severity: 'SEV4' });
    const fx = x.step({ type: 'post_status_update', status: 'resolved', summary: 'Fixed' });
    expect(pageFx(fx)).toMatchObject([{ action: 'resolve', status: 'resolved', components: { comp00000001: 'operational' } }]);
    expect(x.state.customerFacing?.statusPage?.resolved).toBe(true);
  });

  it('a published resolved update resolves it with its own words and resolve adds nothing', () => {
    const x = session(policy());
    x.step({ type: 'post_status_update', status: 'investigating', summary: 'Pay fail', customer: input });
    x.created('spinc1');
    const fx = x.step({ type: 'post_status_update', status: 'resolved', summary: 'Fixed.', customer: { approved: true } });
    expect(pageFx(fx)).toMatchObject([{ action: 'update', status: 'resolved', body: 'Fixed.' }]);
  });
});

describe('updates after the resolution', () => {
  it('add to the resolved page incident instead of creating a second one, until a reopen', () => {
    const x = session(policy({ publish: 'auto' }));
    x.step({ type: 'post_status_update', status: 'investigating', summary: 'Pay fail', customer: input });
    x.created('spinc1');
    x.step({ type: 'resolve' });
    const note = x.step({ type: 'post_status_update', summary: 'Root cause: a bad deploy. We are sorry.' });
    expect(pageFx(note)).toMatchObject([{ action: 'update', status: 'resolved', components: { comp00000001: 'operational' } }]);
    expect(x.state.customerFacing?.statusPage).toMatchObject({ pageIncidentId: 'spinc1', resolved: true });
    // Each row names the page incident it targets, so a reopen before delivery cannot redirect or block it.
    expect(pageFx(x.step({ type: 'post_status_update', summary: 'Credits follow.' }))).toMatchObject([{ action: 'update', pageIncidentId: 'spinc1' }]);
    x.step({ type: 'reopen', reason: 'back' });
    const again = x.step({ type: 'post_status_update', status: 'investigating', summary: 'Again' });
    expect(pageFx(again)).toMatchObject([{ action: 'create', status: 'investigating' }]);
    expect(x.state.customerFacing?.statusPage?.pageIncidentId).toBeUndefined();
  });
});

describe('the resolution by email', () => {
  const emails = (fx: Effect[]) => fx.flatMap((e) => (e.kind === 'email.send' ? [e] : []));

  it('resolve emails the contacts that got the updates, in their thread', () => {
    const x = session(policy({ publish: 'auto' }));
    x.step({ type: 'post_status_update', status: 'investigating', summary: 'Pay fail', customer: input });
    x.step({ type: 'post_status_update', status: 'identified', summary: 'Found it' });
    const fx = emails(x.step({ type: 'resolve', summary: 'internal: rolled back deploy 123' }));
    expect(fx.map((m) => [m.to, m.customerId, m.subject, m.messageKey, m.previousKeys])).toEqual([['dana@acme.test', 'acme', '[INC-42] Payments are failing', 'u3', ['u1', 'u2']]]);
    expect(fx[0]!.text).toContain('Status: Resolved');
    expect(fx[0]!.text).toContain('This incident has been resolved.');
    expect(fx[0]!.text).not.toContain('internal');
    expect(x.state.customerFacing?.emailedUpdates).toBe(3);
    // A later update continues the thread.
    expect(emails(x.step({ type: 'post_status_update', summary: 'Root cause: a bad deploy.' })).map((m) => m.messageKey)).toEqual(['u4']);
  });

  it('a resolved update that is not published emails the resolution instead of its text; a published one is the resolution', () => {
    const x = session(policy());
    x.step({ type: 'post_status_update', status: 'investigating', summary: 'Pay fail', customer: input });
    const quiet = emails(x.step({ type: 'post_status_update', status: 'resolved', summary: 'internal words', customer: { approved: false } }));
    expect(quiet.map((m) => [m.to, m.messageKey])).toEqual([['dana@acme.test', 'u2']]);
    expect(quiet[0]!.text).not.toContain('internal');

    const y = session(policy());
    y.step({ type: 'post_status_update', status: 'investigating', summary: 'Pay fail', customer: input });
    expect(emails(y.step({ type: 'post_status_update', status: 'resolved', summary: 'Fixed.', customer: { approved: true } })).map((m) => m.messageKey)).toEqual(['u2']);
  });

  it('emails nobody who was never emailed', () => {
    const x = session(policy({ outlets: { statusPage: true, email: false } }));
    x.step({ type: 'post_status_update', status: 'investigating', summary: 'Pay fail', customer: input });
    expect(emails(x.step({ type: 'resolve' }))).toEqual([]);
    const y = session(policy());
    expect(emails(y.step({ type: 'resolve' }))).toEqual([]);
  });
});
