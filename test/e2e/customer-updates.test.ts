/**
 * Customer-facing updates end to end, over real HTTP and real SMTP: a
 * PagerDuty-triggered SEV1 on a mapped service; the first approved update
 * creates the status page incident with the component impact chosen in the
 * form; two more updates (while the stand-in answers 429) add incident
 * updates in order; resolve resolves it and sets the component operational.
 * Each update is emailed once per contact, threaded. Without the tick, and
 * for a private incident, nothing reaches the status page or email; nor for
 * an update with no words left once cleaned for customers, which the review
 * says before offering no tick.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customersExtension } from '../../src/customers-extension.ts';
import type { Policy } from '../../src/domain/policy.ts';
import { renderMail, type SmtpStandIn } from '../../src/sandbox/smtp/stand-in.ts';
import { renderIncidentHistory, type StatusPageStandIn } from '../../src/sandbox/statuspage/stand-in.ts';
import { startCustomerOutlets, type CustomerOutlets } from '../helpers/customer-outlets.ts';
import { USERS } from '../helpers/kranz-harness.ts';
import { linkedIncident, pdPolicy, rows, settled, startPdHarness, until, type PdHarness } from '../helpers/pd-harness.ts';

const PAGE = 'examplepage1';
const CHECKOUT = 'checkoutcomp';
const SEARCH = 'searchcomp01';
const TITLE = 'Checkout is failing for some customers';

let h: PdHarness;
let outlets: CustomerOutlets;
let sp: StatusPageStandIn;
let smtp: SmtpStandIn;

function policy(): Policy {
  const base = pdPolicy();
  return {
    ...base,
    customers: base.customers.map((c) => (c.id === 'acme' ? { ...c, mainContact: { ...c.mainContact, email: 'jane@acme.test' }, notifyEmails: ['ops@acme.test'] } : c)),
    statuspage: {
      pageId: PAGE, publish: 'ask', publishPrivate: false,
      components: [{ service: 'checkout', componentId: CHECKOUT, pagerDutyServices: ['PSVCKRZ'] }, { service: 'search', componentId: SEARCH, pagerDutyServices: [] }],
    },
  };
}

beforeAll(async () => {
  outlets = await startCustomerOutlets({ pageId: PAGE, components: [{ id: CHECKOUT, name: 'Checkout' }, { id: SEARCH, name: 'Search' }], statusPage: { rateLimit: { max: 1, windowMs: 40 } } });
  ({ sp, smtp } = outlets);
  h = await startPdHarness({
    policy: policy(),
    extensions: [customersExtension({ statusPageIntervalMs: 80, rateLimitWaitMs: 100 })],
    env: outlets.env,
  });
});
afterAll(async () => {
  await h?.close();
  await outlets?.close();
});

const dana = () => h.slack.user(USERS.dana.id);
const ws = () => h.slack.workspace;

async function openFromPagerDuty(title: string): Promise<{ incidentId: string; channel: string; number: number }> {
  const pd = h.pdIncident({ title, priority: 'P1' });
  await h.event('incident.triggered', pd);
  const inc = await until(async () => {
    const l = await linkedIncident(h, pd.id);
    return l?.channel_id ? l : undefined;
  }, 'incident with a channel');
  await settled(h);
  expect(inc.severity).toBe('SEV1');
  // Dana (second-level on-call, not invited) joins; the incident PagerDuty opened has no commander yet, so she takes the role.
  await dana().join(inc.channel_id!);
  await dana().slashCommand(inc.channel_id!, '/incident', `role commander <@${USERS.dana.id}|dana>`);
  await settled(h);
  return { incidentId: inc.id, channel: inc.channel_id!, number: inc.number };
}

async function openUpdateForm(channel: string) {
  await dana().slashCommand(channel, '/incident', 'update');
  return h.slack.waitFor(() => {
    const v = ws().topModal(USERS.dana.id);
    return v && v.callback_id === 'status_update' && v.open ? v : undefined;
  }, { what: 'update modal' });
}

/** Fills the form, looks at the review, ticks (or not) and posts; returns the review's text. */
async function postUpdate(channel: string, o: { status: string; summary: string; title?: string; impact?: Record<string, string>; tick: boolean }): Promise<string> {
  const form = await openUpdateForm(channel);
  const values: Record<string, unknown> = { status: o.status, summary: o.summary, next: '15m' };
  if (o.title) values['cf_title'] = o.title;
  for (const [svc, v] of Object.entries(o.impact ?? {})) values[`cf_impact_${svc}`] = v;
  const first = await dana().submitView(form.id, values);
  expect(first.responseAction).toBe('update');
  const review = first.view!;
  expect(review.callback_id).toBe('status_update_review');
  const text = JSON.stringify(review.blocks);
  const second = await dana().submitView(review.id, o.tick ? { publish: ['publish'] } : {});
  expect(second.status).toBe(200);
  return text;
}

describe('status page and email from status updates', () => {
  let inc: { incidentId: string; channel: string; number: number };

  it('offers a customer-facing title and the component impact, pre-selected from the PagerDuty service', async () => {
    inc = await openFromPagerDuty('db-primary-3 replication lag > 30s');
    const form = await openUpdateForm(inc.channel);
    const blocks = JSON.stringify(form.blocks);
    expect(blocks).toContain('"block_id":"cf_title"');
    // SEV1 on the mapped PagerDuty service: checkout at major outage, search not affected.
    const impact = (svc: string) => (form.blocks.find((b) => b['block_id'] === `cf_impact_${svc}`)?.['element'] as { initial_option?: { value: string } } | undefined)?.initial_option?.value;
    expect(impact('checkout')).toBe('major_outage');
    expect(impact('search')).toBe('none');
    await dana().closeView(form.id);
  });

  it('publishes nothing when the box is not ticked, though the update reaches Slack', async () => {
    const before = { incidents: sp.state.incidents.size, mails: smtp.mails.length };
    const review = await postUpdate(inc.channel, { status: 'investigating', summary: 'Draft wording we decide not to publish.', title: TITLE, impact: { checkout: 'partial_outage' }, tick: false });
    // The review showed exactly what would have gone out.
    expect(review).toContain('Status page');
    expect(review).toContain('checkout → partial outage');
    expect(review).toContain('jane@acme.test, ops@acme.test');
    expect(review).toContain(`[INC-${inc.number}] ${TITLE}`);
    await settled(h);
    expect(ws().history(inc.channel).some((m) => JSON.stringify(m.blocks ?? '').includes('Draft wording we decide not to publish.'))).toBe(true);
    expect(sp.state.incidents.size).toBe(before.incidents);
    expect(smtp.mails.length).toBe(before.mails);
    expect(await rows(h, "select 1 from outbox where target in ('statuspage', 'email')")).toEqual([]);
  });

  it('creates one status page incident, adds updates in order through a 429 window, resolves it, and emails each update once per contact, threaded', async () => {
    await postUpdate(inc.channel, { status: 'investigating', summary: 'Some card payments fail at checkout. We are investigating.', title: TITLE, impact: { checkout: 'major_outage' }, tick: true });
    await settled(h);
    const page = await until(() => sp.state.pageIncidents(PAGE)[0], 'status page incident');
    expect(page.name).toBe(TITLE);
    expect(page.name).not.toContain('replication');
    expect(sp.state.components.get(CHECKOUT)?.status).toBe('major_outage');
    expect(sp.state.components.get(SEARCH)?.status).toBe('operational');

    // Statuspage pushes back for a while: both updates wait, none is lost or doubled.
    sp.faults.rateLimitFor(1_500);
    await postUpdate(inc.channel, { status: 'identified', summary: 'A configuration change to the payment gateway is the cause; rolling it back.', impact: { checkout: 'partial_outage' }, tick: true });
    await postUpdate(inc.channel, { status: 'monitoring', summary: 'Rolled back. Payments succeed again; we are watching.', impact: { checkout: 'degraded_performance' }, tick: true });
    await settled(h, 30_000);
    expect(sp.requests.some((r) => r.status === 429)).toBe(true);
    await dana().slashCommand(inc.channel, '/incident', 'resolve Payments are back to normal');
    await settled(h, 30_000);

    const incidents = sp.state.pageIncidents(PAGE);
    expect(incidents).toHaveLength(1);
    const history = [...incidents[0]!.incident_updates].reverse();
    expect(history.map((u) => u.status)).toEqual(['investigating', 'identified', 'monitoring', 'resolved']);
    expect(new Set(history.map((u) => u.body)).size).toBe(history.length);
    expect(incidents[0]!.status).toBe('resolved');
    expect(sp.state.components.get(CHECKOUT)?.status).toBe('operational');
    console.log(['Status page incident history (as the stand-in recorded it):', ...renderIncidentHistory(sp.state, incidents[0]!)].join('\n'));

    // Three emailed updates and the resolution per contact, one thread per contact.
    for (const to of ['jane@acme.test', 'ops@acme.test']) {
      const mails = smtp.mails.filter((m) => m.to.includes(to));
      expect(mails.map((m) => m.subject)).toEqual(Array(4).fill(`[INC-${inc.number}] ${TITLE}`));
      expect(new Set(mails.map((m) => m.messageId)).size).toBe(4);
      expect(mails[1]?.inReplyTo).toBe(mails[0]?.messageId);
      expect(mails[2]?.inReplyTo).toBe(mails[1]?.messageId);
      expect(mails[2]?.references).toEqual([mails[0]?.messageId, mails[1]?.messageId]);
      expect(mails[3]?.inReplyTo).toBe(mails[2]?.messageId);
      expect(mails[3]?.text).toContain('This incident has been resolved.');
      if (to === 'jane@acme.test') console.log(['Email thread (as the SMTP stand-in received it):', ...mails.flatMap((m) => ['---', ...renderMail(m)])].join('\n'));
    }
    // Timeline: the page's link and each email are recorded; the channel got the link.
    const published = await rows<{ data: { channel: string; url?: string; action?: string } }>(h, "select data from incident_events where incident_id = $1 and type = 'customer_update_published' order by recorded_at", [inc.incidentId]);
    expect(published.filter((p) => p.data.channel === 'statuspage').map((p) => p.data.action)).toEqual(['create', 'update', 'update', 'resolve']);
    expect(published.filter((p) => p.data.channel === 'email')).toHaveLength(8);
    expect(published[0]?.data.url ?? published.find((p) => p.data.url)?.data.url).toMatch(/^https:\/\/stspg\.io\//);
    expect(ws().history(inc.channel).some((m) => (m.text ?? '').includes(`is live: ${incidents[0]!.shortlink}`))).toBe(true);
  });

  it('loses nothing while the mail server is down and sends nothing twice once it is back', async () => {
    const second = await openFromPagerDuty('Payment API 5xx');
    await smtp.stop();
    await postUpdate(second.channel, { status: 'investigating', summary: 'Card payments fail for some customers.', title: 'Card payments are failing', tick: true });
    await until(async () => (await rows(h, "select 1 from outbox where target = 'email' and attempts > 0 and status = 'pending'")).length === 2, 'email rows retrying');
    await smtp.start();
    await settled(h, 30_000);
    const mails = smtp.mails.filter((m) => m.subject === `[INC-${second.number}] Card payments are failing`);
    expect(mails.map((m) => m.to[0]).sort()).toEqual(['jane@acme.test', 'ops@acme.test']);
  });

  it('never publishes a private incident', async () => {
    const before = { incidents: sp.state.incidents.size, mails: smtp.mails.length };
    await dana().slashCommand('CGENERAL', '/incident', '');
    const modal = await h.slack.waitFor(() => ws().topModal(USERS.dana.id), { what: 'declare modal' });
    await dana().submitView(modal.id, { title: 'Secret incident', severity: 'SEV1', customers: ['acme'], commander: USERS.dana.id, private: ['private'] });
    const ch = await until(async () => (await rows<{ channel_id: string | null }>(h, "select channel_id from incidents where title = 'Secret incident'"))[0]?.channel_id, 'private channel');
    await settled(h);
    const form = await openUpdateForm(ch);
    expect(JSON.stringify(form.blocks)).not.toContain('cf_title');
    const r = await dana().submitView(form.id, { status: 'identified', summary: 'Found it.', next: '15m' });
    expect(r.responseAction).toBe('close');
    await settled(h);
    expect(sp.state.incidents.size).toBe(before.incidents);
    expect(smtp.mails.length).toBe(before.mails);
  });

  it('shows in the review that an update with no words left for customers cannot be published, and posts it in Slack only', async () => {
    const third = await openFromPagerDuty('search-indexer lag');
    const before = { incidents: sp.state.incidents.size, mails: smtp.mails.length };
    const summary = 'see <#C0123ABCD|inc-7-db> and https://acme.pagerduty.com/incidents/PABC';
    const form = await openUpdateForm(third.channel);
    const first = await dana().submitView(form.id, { status: 'investigating', summary, next: '15m', cf_title: 'Search results are out of date' });
    expect(first.responseAction).toBe('update');
    const review = first.view!;
    expect(review.callback_id).toBe('status_update_review');
    const text = JSON.stringify(review.blocks);
    expect(text).toContain('Once Slack channel links and PagerDuty links are taken out, the summary says nothing to customers, so nothing can be published.');
    // No preview of an empty message, and no tick box to publish it with.
    expect(text).not.toContain('Status page');
    expect(review.blocks.some((b) => b['block_id'] === 'publish')).toBe(false);
    const second = await dana().submitView(review.id, { publish: ['publish'] });
    expect(second.responseAction).toBe('close');
    await settled(h);
    const posted = await rows<{ data: { summary: string; customer?: unknown } }>(h, "select data from incident_events where incident_id = $1 and type = 'status_update_posted'", [third.incidentId]);
    expect(posted.map((p) => p.data.summary)).toEqual([summary]);
    expect(posted[0]?.data.customer).toBeUndefined();
    expect(sp.state.incidents.size).toBe(before.incidents);
    expect(smtp.mails.length).toBe(before.mails);
    expect(await rows(h, "select 1 from outbox where incident_id = $1 and target in ('statuspage', 'email')", [third.incidentId])).toEqual([]);
  });
});
