/**
 * With `publish: auto` the update form publishes at once, so a summary or
 * customer-facing title with no words left once cleaned for customers (only
 * Slack and PagerDuty links, say) is answered on its field, over real HTTP:
 * the form stays open, and nothing reaches Slack, the status page or the
 * SMTP server. The same form, given a sentence beside the links, publishes
 * the sentence without them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customersExtension } from '../../src/customers-extension.ts';
import type { Policy } from '../../src/domain/policy.ts';
import type { SmtpStandIn } from '../../src/sandbox/smtp/stand-in.ts';
import type { StatusPageStandIn } from '../../src/sandbox/statuspage/stand-in.ts';
import { startCustomerOutlets, type CustomerOutlets } from '../helpers/customer-outlets.ts';
import { startHarness, USERS, type Harness } from '../helpers/kranz-harness.ts';
import { rows, settled, until } from '../helpers/pd-harness.ts';
import { testPolicy } from '../helpers/domain.ts';

const PAGE = 'wordspage001';
const CHECKOUT = 'checkoutcomp';
const LINKS = 'https://acme.slack.com/archives/C0123ABCD/p1700000000000100 https://acme.pagerduty.com/incidents/PABC';

let h: Harness;
let outlets: CustomerOutlets;
let sp: StatusPageStandIn;
let smtp: SmtpStandIn;

const policy: Policy = {
  ...testPolicy,
  statuspage: { pageId: PAGE, publish: 'auto', publishPrivate: false, components: [{ service: 'checkout', componentId: CHECKOUT, pagerDutyServices: [] }] },
};

beforeAll(async () => {
  outlets = await startCustomerOutlets({ pageId: PAGE, components: [{ id: CHECKOUT, name: 'Checkout' }] });
  ({ sp, smtp } = outlets);
  h = await startHarness({
    policy,
    extensions: [customersExtension({ statusPageIntervalMs: 50, rateLimitWaitMs: 100 })],
    env: outlets.env,
  });
});
afterAll(async () => {
  await h?.close();
  await outlets?.close();
});

const dana = () => h.slack.user(USERS.dana.id);
const ws = () => h.slack.workspace;

describe('publish: auto and an update with no words left for customers', () => {
  it('answers the form on the summary and the title, publishes nothing, and publishes the cleaned sentence once there is one', async () => {
    await dana().slashCommand('CGENERAL', '/incident', '');
    const declare = await h.slack.waitFor(() => ws().topModal(USERS.dana.id), { what: 'declare modal' });
    await dana().submitView(declare.id, { title: 'Checkout errors', severity: 'SEV1', customers: ['acme'], commander: USERS.dana.id });
    const inc = await until(async () => (await rows<{ id: string; channel_id: string | null }>(h, "select id, channel_id from incidents where title = 'Checkout errors'"))[0], 'incident');
    const channel = await until(async () => (await rows<{ channel_id: string | null }>(h, 'select channel_id from incidents where id = $1', [inc.id]))[0]?.channel_id, 'incident channel');
    await settled(h);

    await dana().slashCommand(channel, '/incident', 'update');
    const form = await h.slack.waitFor(() => {
      const v = ws().topModal(USERS.dana.id);
      return v && v.callback_id === 'status_update' && v.open ? v : undefined;
    }, { what: 'update modal' });
    const refused = await dana().submitView(form.id, { status: 'investigating', summary: `see ${LINKS}`, next: '15m', cf_title: 'https://acme.slack.com/archives/C0123ABCD', cf_impact_checkout: 'major_outage' });
    expect(refused.responseAction).toBe('errors');
    expect(refused.errors).toEqual({
      summary: 'Once Slack links and PagerDuty links are taken out, the summary says nothing to customers. Write a sentence customers can read: what they notice and what you are doing.',
      cf_title: 'Once Slack links are taken out, the customer-facing title says nothing to customers. Name what customers notice, e.g. "Checkout is slow".',
    });
    expect(ws().topModal(USERS.dana.id)?.id).toBe(form.id);
    await settled(h);
    expect(await rows(h, "select 1 from incident_events where incident_id = $1 and type = 'status_update_posted'", [inc.id])).toEqual([]);
    expect(await rows(h, "select 1 from outbox where target in ('statuspage', 'email')")).toEqual([]);
    expect(sp.state.incidents.size).toBe(0);
    expect(smtp.mails).toEqual([]);

    // The same form with a sentence beside the links: published, the links left out.
    const posted = await dana().submitView(form.id, { status: 'investigating', summary: `Card payments fail at checkout; we are rolling back. ${LINKS}`, next: '15m', cf_title: 'Card payments are failing', cf_impact_checkout: 'major_outage' });
    expect(posted.responseAction).toBe('close');
    await settled(h);
    const page = await until(() => sp.state.pageIncidents(PAGE)[0], 'status page incident');
    expect(page.name).toBe('Card payments are failing');
    expect(page.incident_updates.map((u) => u.body)).toEqual(['Card payments fail at checkout; we are rolling back.']);
    const mail = await until(() => smtp.mails.find((m) => m.to.includes('dana@acme.test')), 'email');
    expect(mail.text).toContain('Card payments fail at checkout; we are rolling back.');
    expect(mail.text).not.toMatch(/slack\.com|pagerduty/);
  });
});
