/**
 * The publication rules, pure: what a customer-facing update sends where,
 * and when it sends nothing (not approved, private, not customer-impacting,
 * no outlet, no title, no words left once cleaned). The preview and the
 * transition share this plan.
 */
import { describe, expect, it } from 'vitest';
import { planCustomerUpdate } from '../../src/domain/customer-updates.ts';
import type { Effect } from '../../src/domain/effects.ts';
import type { Policy } from '../../src/domain/policy.ts';
import { transition } from '../../src/domain/transition.ts';
import { declare, envFor, run, T0, testPolicy, twoCustomerPolicy } from '../helpers/domain.ts';

const policy = (o: Partial<NonNullable<Policy['statuspage']>> = {}): Policy => ({
  ...testPolicy,
  statuspage: { pageId: 'page00000001', publish: 'ask', publishPrivate: false, components: [{ service: 'checkout', componentId: 'comp00000001', pagerDutyServices: [] }], outlets: { statusPage: true, email: true }, ...o },
});
const update = { status: 'investigating' as const, summary: 'Payments fail.', nextUpdateAt: '2026-03-02T13:20:00.000Z' };
const input = { title: 'Payments are failing', impact: { checkout: 'major_outage' as const }, approved: true };

function effectsOf(p: Policy, customer: typeof input | undefined, isPrivate = false): Effect[] {
  const s = run([declare({ private: isPrivate })]);
  const r = transition(s, { type: 'post_status_update', status: 'investigating', summary: 'Payments fail.', ...(customer ? { customer } : {}) }, T0, envFor({ policy: p }));
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value.effects.filter((e) => e.kind === 'statuspage.publish' || e.kind === 'email.send');
}

describe('planCustomerUpdate', () => {
  it('creates the page incident with the chosen impact and emails the contact, when approved', () => {
    const s = run([declare()]);
    const plan = planCustomerUpdate(policy(), s, update, input);
    expect(plan.blocked).toBeUndefined();
    expect(plan.statusPage).toMatchObject({ action: 'create', name: 'Payments are failing', status: 'investigating', components: { comp00000001: 'major_outage' } });
    expect(plan.emails.map((m) => [m.to, m.subject, m.messageKey, m.previousKeys])).toEqual([['dana@acme.test', '[INC-42] Payments are failing', 'u1', []]]);
  });

  it('sends nothing without the tick, for a private incident, or below customer impact', () => {
    expect(effectsOf(policy(), { ...input, approved: false })).toEqual([]);
    expect(effectsOf(policy(), input, true)).toEqual([]);
    expect(effectsOf(policy({ publishPrivate: true }), input, true).map((e) => e.kind)).toEqual(['statuspage.publish', 'email.send']);
    const s = run([declare({ severity: 'SEV4' })]);
    expect(planCustomerUpdate(policy(), s, update, input).blocked).toBe('not_customer_impacting');
  });

  it('needs no tick with publish: auto, and nothing goes where no outlet is configured', () => {
    expect(effectsOf(policy({ publish: 'auto' }), { ...input, approved: false }).map((e) => e.kind)).toEqual(['statuspage.publish', 'email.send']);
    expect(effectsOf(policy({ outlets: { statusPage: false, email: true } }), input).map((e) => e.kind)).toEqual(['email.send']);
    expect(effectsOf(policy({ outlets: { statusPage: false, email: false } }), input)).toEqual([]);
  });

  it('later updates add to the page incident and thread the email; resolve sets components operational', () => {
    let s = run([declare()]);
    const p = policy();
    const step = (c: Parameters<typeof transition>[1]) => {
      const r = transition(s, c, T0, envFor({ policy: p }));
      if (!r.ok) throw new Error(JSON.stringify(r.error));
      s = r.value.state!;
      return r.value.effects.filter((e) => e.kind === 'statuspage.publish' || e.kind === 'email.send');
    };
    step({ type: 'post_status_update', status: 'investigating', summary: 'One.', customer: input });
    const second = step({ type: 'post_status_update', status: 'identified', summary: 'Two.', customer: { approved: true, impact: { checkout: 'partial_outage' } } });
    expect(second[0]).toMatchObject({ kind: 'statuspage.publish', action: 'update', components: { comp00000001: 'partial_outage' } });
    expect(second[1]).toMatchObject({ kind: 'email.send', subject: '[INC-42] Payments are failing', messageKey: 'u2', previousKeys: ['u1'] });
    const resolved = step({ type: 'resolve' });
    expect(resolved[0]).toEqual({ kind: 'statuspage.publish', action: 'resolve', pageId: 'page00000001', status: 'resolved', body: 'This incident has been resolved.', components: { comp00000001: 'operational' } });
    expect(resolved.slice(1)).toMatchObject([{ kind: 'email.send', to: 'dana@acme.test', messageKey: 'u3', previousKeys: ['u1', 'u2'] }]);
  });

  it('refuses an approved first publication without a customer-facing title', () => {
    const s = run([declare()]);
    const r = transition(s, { type: 'post_status_update', status: 'investigating', summary: 'x', customer: { approved: true } }, T0, envFor({ policy: policy() }));
    expect(r.ok).toBe(false);
  });
  it('cleans what goes out as the report does: no Slack mentions, channel links, internal links or other customers', () => {
    const p: Policy = { ...twoCustomerPolicy, statuspage: policy().statuspage! };
    const s = run([declare({ customers: ['acme'] })]);
    const summary = 'Acme and Globex see errors; <@U012ABCDEF> is on it in <#C0123ABCD|inc-42>, see https://acme.pagerduty.com/incidents/P1ABC and https://acme.slack.com/archives/C1/p1';
    const plan = planCustomerUpdate(p, s, { ...update, summary }, { ...input, title: 'Checkout failing for Acme Corp and Globex' });
    const page = plan.statusPage!;
    for (const text of [page.body, page.name!]) {
      expect(text).not.toMatch(/Acme|Globex|<@|U012ABCDEF|<#|pagerduty|slack\.com/i);
    }
    expect(page.body).toContain('another customer and another customer see errors; our team is on it in our incident channel');
    const mail = plan.emails[0]!;
    expect(mail.to).toBe('dana@acme.test');
    expect(mail.subject).toBe('[INC-42] Checkout failing for Acme Corp and another customer');
    expect(mail.text).toContain('Acme and another customer see errors; our team is on it in our incident channel');
    expect(mail.text).not.toMatch(/Globex|<@|<#|pagerduty|slack\.com/i);
  });

  describe('an update with no words left for customers once cleaned', () => {
    const pointer = 'see <#C0123ABCD|inc-7-db> and https://acme.pagerduty.com/incidents/PABC';
    const customerEffects = (effects: readonly Effect[]) => effects.filter((e) => e.kind === 'statuspage.publish' || e.kind === 'email.send');

    it('is planned as no_words, naming the part and what was taken out, and nothing goes out', () => {
      const s = run([declare()]);
      const plan = planCustomerUpdate(policy(), s, { ...update, summary: pointer }, input);
      expect(plan).toMatchObject({ blocked: 'no_words', wordless: [{ field: 'summary', removed: ['channel', 'pagerduty_link'] }], emails: [] });
      expect(plan.statusPage).toBeUndefined();
      const both = planCustomerUpdate(policy(), s, { ...update, summary: '<@U012ABCDEF>' }, { ...input, title: 'https://acme.slack.com/archives/C1/p1' });
      expect(both.wordless).toEqual([{ field: 'summary', removed: ['mention'] }, { field: 'title', removed: ['slack_link'] }]);
    });

    it('is refused by the transition with its code when approved, or with publish: auto and no form at all', () => {
      const s = run([declare()]);
      const approved = transition(s, { type: 'post_status_update', status: 'investigating', summary: pointer, customer: input }, T0, envFor({ policy: policy() }));
      expect(approved.ok).toBe(false);
      expect(!approved.ok && approved.error).toEqual({ code: 'customer_update.no_words', params: { parts: [{ field: 'summary', removed: ['channel', 'pagerduty_link'] }] } });
      // publish: auto once a title is recorded: an update with no customer part publishes, so it is refused too.
      const auto = policy({ publish: 'auto' });
      const first = transition(s, { type: 'post_status_update', status: 'investigating', summary: 'Payments fail.', customer: input }, T0, envFor({ policy: auto }));
      if (!first.ok) throw new Error(JSON.stringify(first.error));
      const bare = transition(first.value.state!, { type: 'post_status_update', status: 'identified', summary: pointer }, T0, envFor({ policy: auto }));
      expect(!bare.ok && bare.error.code).toBe('customer_update.no_words');
    });

    it('still posts in Slack when not ticked, publishing nothing', () => {
      const s = run([declare()]);
      const r = transition(s, { type: 'post_status_update', status: 'investigating', summary: pointer, customer: { ...input, approved: false } }, T0, envFor({ policy: policy() }));
      if (!r.ok) throw new Error(JSON.stringify(r.error));
      expect(customerEffects(r.value.effects)).toEqual([]);
      expect(r.value.events[0]).toMatchObject({ type: 'status_update_posted', data: { summary: pointer } });
      expect(r.value.events[0]?.data).not.toHaveProperty('customer');
      expect(r.value.effects).toContainEqual(expect.objectContaining({ kind: 'slack.post', message: expect.objectContaining({ template: 'status_update' }) }));
    });

    it('publishes a summary with a link and words, cleaned', () => {
      const s = run([declare()]);
      const summary = 'Card payments fail at checkout; we are rolling back. Details: <#C0123ABCD|inc-7-db>, https://acme.pagerduty.com/incidents/PABC';
      const r = transition(s, { type: 'post_status_update', status: 'investigating', summary, customer: input }, T0, envFor({ policy: policy() }));
      if (!r.ok) throw new Error(JSON.stringify(r.error));
      const [page, mail] = customerEffects(r.value.effects);
      expect(page).toMatchObject({ kind: 'statuspage.publish', action: 'create', name: 'Payments are failing', body: 'Card payments fail at checkout; we are rolling back. Details: our incident channel,' });
      expect(mail?.kind === 'email.send' && mail.text).toContain('Card payments fail at checkout; we are rolling back. Details: our incident channel,');
    });

    it("checks the title only where it is published: a new page incident's name and the email subject", () => {
      let s = run([declare()]);
      const pageOnly = policy({ outlets: { statusPage: true, email: false } });
      const first = transition(s, { type: 'post_status_update', status: 'investigating', summary: 'One.', customer: input }, T0, envFor({ policy: pageOnly }));
      if (!first.ok) throw new Error(JSON.stringify(first.error));
      s = first.value.state!;
      // The page incident exists, nothing is emailed: a later title goes nowhere, so it is not judged.
      expect(planCustomerUpdate(pageOnly, s, update, { ...input, title: '<#C0123ABCD>' }).blocked).toBeUndefined();
      // Emailed, it is the subject.
      expect(planCustomerUpdate(policy(), s, update, { ...input, title: '<#C0123ABCD>' }).wordless).toEqual([{ field: 'title', removed: ['channel'] }]);
    });

    it("judges each email by its own cleaning: the name of the customer it goes to stays, another's goes", () => {
      const emailOnly: Policy = { ...twoCustomerPolicy, customers: twoCustomerPolicy.customers.map((c) => ({ ...c, mainContact: { ...c.mainContact, email: `ops@${c.id}.test` } })), statuspage: policy({ outlets: { statusPage: false, email: true } }).statuspage! };
      const acmeOnly = run([declare({ customers: ['acme'] })]);
      expect(planCustomerUpdate(emailOnly, acmeOnly, { ...update, summary: 'Acme' }, input).blocked).toBeUndefined();
      const declared = transition(undefined, declare({ customers: ['acme', 'globex'] }), T0, envFor({ policy: emailOnly }));
      if (!declared.ok) throw new Error(JSON.stringify(declared.error));
      const both = declared.value.state!;
      expect(planCustomerUpdate(emailOnly, both, { ...update, summary: 'Acme' }, input).wordless).toEqual([{ field: 'summary', removed: ['customer_name'] }]);
    });
  });
});
