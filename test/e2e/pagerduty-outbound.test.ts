/**
 * What Kranz sends PagerDuty, through the outbox, to the REST stand-in:
 * resolving in Slack resolves the PagerDuty incident; status updates become
 * PagerDuty notes (once, through a 429 and through an outage); `/incident
 * page` opens a PagerDuty incident on a service.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USERS } from '../helpers/kranz-harness.ts';
import { ephemeralTexts } from '../helpers/slack-e2e.ts';
import { linkedIncident, PD, rows, settled, startPdHarness, until, type PdHarness } from '../helpers/pd-harness.ts';

let h: PdHarness;
beforeAll(async () => {
  h = await startPdHarness();
});
afterAll(async () => h?.close());

const dana = () => h.slack.user(USERS.dana.id);

/** Opens an incident from a PagerDuty trigger, waits until it is fully set up, and makes Dana its commander. */
async function openFromPagerDuty(title: string): Promise<{ pdId: string; incidentId: string; channel: string; number: number }> {
  const pd = h.pdIncident({ title });
  const r = await h.event('incident.triggered', pd);
  expect(r.status).toBe(202);
  const inc = await until(async () => {
    const l = await linkedIncident(h, pd.id);
    return l?.channel_id ? l : undefined;
  }, 'incident with a channel');
  // Dana (second-level on-call, not invited) joins; the incident PagerDuty opened has no commander yet, so she takes the role.
  await dana().join(inc.channel_id!);
  await dana().slashCommand(inc.channel_id!, '/incident', `role commander <@${USERS.dana.id}|dana>`);
  await settled(h);
  return { pdId: pd.id, incidentId: inc.id, channel: inc.channel_id!, number: inc.number };
}

/** Posts a status update through the modal, as a person would. */
async function postUpdate(channel: string, summary: string): Promise<void> {
  await dana().slashCommand(channel, '/incident', 'update');
  const modal = await h.slack.waitFor(() => {
    const v = h.slack.workspace.topModal(USERS.dana.id);
    return v && v.callback_id === 'status_update' ? v : undefined;
  }, { what: 'update modal' });
  const r = await dana().submitView(modal.id, { status: 'identified', summary, next: '15m' });
  expect(r.status).toBe(200);
}

async function noteRows(incidentId: string): Promise<{ status: string; attempts: number; last_error: string | null }[]> {
  return rows(h, "select status, attempts, last_error from outbox where incident_id = $1 and op = 'note' order by id", [incidentId]);
}

describe('Kranz → PagerDuty', () => {
  it('resolving in Slack resolves the linked PagerDuty incident', async () => {
    const inc = await openFromPagerDuty('Search is timing out');
    expect(h.pd.state.incidents.get(inc.pdId)?.status).toBe('triggered');
    await dana().slashCommand(inc.channel, '/incident', 'resolve Rolled back the index change');
    await until(() => h.pd.state.incidents.get(inc.pdId)?.status === 'resolved', 'PagerDuty incident resolved');
    await settled(h);
    const puts = h.pd.requests.filter((r) => r.route === 'updateIncident');
    expect(puts).toHaveLength(1);
    expect(puts[0]).toMatchObject({ method: 'PUT', path: `/incidents/${inc.pdId}`, status: 200, body: { incident: { type: 'incident_reference', status: 'resolved' } } });
    expect(puts[0]?.headers['from']).toBe(PD.fromEmail);
    expect((await linkedIncident(h, inc.pdId))?.status).toBe('resolved');

    // PagerDuty then reports its incident resolved: recorded, and no "resolve?" question.
    const before = h.slack.workspace.history(inc.channel).length;
    const pd = { id: inc.pdId, number: h.pd.state.incidents.get(inc.pdId)!.number, title: 'Search is timing out', serviceId: PD.service, serviceName: PD.serviceName };
    await h.event('incident.resolved', pd);
    const echo = await until(() => h.slack.workspace.history(inc.channel).slice(before).find((m) => /PagerDuty resolved it/.test(m.text ?? '')), 'resolved echo posted');
    expect(echo.text).not.toMatch(/resolve the incident\?/);
    expect(JSON.stringify(echo.blocks)).not.toContain('pd_resolve');
  });

  it('status updates are mirrored to the PagerDuty incident as notes, once through a 429', async () => {
    const inc = await openFromPagerDuty('Image uploads fail');
    await postUpdate(inc.channel, 'Uploads fail for files over 5 MB; investigating the proxy.');
    await until(() => h.pd.state.notes.some((n) => n.incidentId === inc.pdId), 'first note');
    expect(h.pd.state.notes.filter((n) => n.incidentId === inc.pdId).map((n) => n.content)).toEqual(['[identified] Uploads fail for files over 5 MB; investigating the proxy.']);
    // The note is written as Kranz's PagerDuty user (From).
    expect(h.pd.state.notes.find((n) => n.incidentId === inc.pdId)?.userId).toBe(h.pd.state.userByEmail(PD.fromEmail)?.id);

    h.pd.faults.rateLimit('createIncidentNote', { times: 1, resetSec: 1 });
    const t0 = Date.now();
    await postUpdate(inc.channel, 'Proxy body limit raised; uploads recovering.');
    await until(() => h.pd.state.notes.filter((n) => n.incidentId === inc.pdId).length === 2, 'second note after the 429', 10_000);
    const waited = Date.now() - t0;
    await settled(h);
    const notes = h.pd.state.notes.filter((n) => n.incidentId === inc.pdId).map((n) => n.content);
    expect(notes).toEqual(['[identified] Uploads fail for files over 5 MB; investigating the proxy.', '[identified] Proxy body limit raised; uploads recovering.']);
    const posts = h.pd.requests.filter((r) => r.route === 'createIncidentNote' && r.path === `/incidents/${inc.pdId}/notes`).map((r) => r.status);
    expect(posts).toEqual([200, 429, 200]);
    // The retry waited for ratelimit-reset (1 s), not the generic backoff.
    expect(waited).toBeGreaterThanOrEqual(1_000);
    const outbox = await noteRows(inc.incidentId);
    expect(outbox.map((r) => [r.status, r.attempts])).toEqual([['delivered', 1], ['delivered', 2]]);
  });

  it('PagerDuty down delays the note and never loses it', async () => {
    const inc = await openFromPagerDuty('Login page blank');
    h.pd.faults.serverError('*', { times: 10_000, status: 503 });
    await postUpdate(inc.channel, 'Login served from the old CDN; switching back.');
    // The update reached Slack at once; the PagerDuty note waits.
    await until(() => h.slack.workspace.history(inc.channel).some((m) => (m.text ?? '').includes('switching back')), 'update in Slack');
    const tries = () => h.pd.requests.filter((r) => r.route === 'createIncidentNote' && r.path === `/incidents/${inc.pdId}/notes`).map((r) => r.status);
    await until(() => tries().length >= 3, 'three failed attempts', 15_000);
    const during = (await noteRows(inc.incidentId))[0];
    expect(during?.status).toBe('pending');
    expect(during?.last_error).toMatch(/503|unavailable|server/i);
    expect(h.pd.state.notes.filter((n) => n.incidentId === inc.pdId)).toEqual([]);

    h.pd.faults.clear();
    await until(() => h.pd.state.notes.some((n) => n.incidentId === inc.pdId), 'note delivered after the outage', 20_000);
    await settled(h);
    expect(h.pd.state.notes.filter((n) => n.incidentId === inc.pdId).map((n) => n.content)).toEqual(['[identified] Login served from the old CDN; switching back.']);
    // Every try before the fault cleared failed; exactly one succeeded after.
    const statuses = tries();
    expect(statuses.slice(0, -1).every((s) => s === 503)).toBe(true);
    expect(statuses.at(-1)).toBe(200);
    expect(statuses.length).toBeGreaterThanOrEqual(4);
    const [row] = await noteRows(inc.incidentId);
    expect(row).toMatchObject({ status: 'delivered', attempts: statuses.length });
  }, 45_000);

  it('/incident page <service> <message> opens a PagerDuty incident on that service', async () => {
    const inc = await openFromPagerDuty('Orders stuck in pending');
    const before = h.pd.state.incidents.size;
    const r = await dana().slashCommand(inc.channel, '/incident', `page ${PD.manualService} Order queue consumers are down`);
    expect(r.status).toBe(200);
    const paged = await until(() => [...h.pd.state.incidents.values()].find((i) => i.serviceId === PD.manualService && i.title === 'Order queue consumers are down'), 'PagerDuty incident created');
    await settled(h);
    expect(h.pd.state.incidents.size).toBe(before + 1);
    expect(paged).toMatchObject({ status: 'triggered', urgency: 'high', details: `Paged from Kranz for INC-${inc.number}: Orders stuck in pending` });
    expect(paged.incidentKey).toMatch(/^kranz:/);
    const creates = h.pd.requests.filter((x) => x.route === 'createIncident');
    expect(creates).toHaveLength(1);
    expect(creates[0]?.headers['from']).toBe(PD.fromEmail);

    // An unknown service is refused in Slack, and nothing is paged.
    await dana().slashCommand(inc.channel, '/incident', 'page PNOSUCH Anyone?');
    await settled(h);
    expect(ephemeralTexts(h, USERS.dana.id).at(-1)).toContain('Unknown PagerDuty service');
    expect(h.pd.state.incidents.size).toBe(before + 1);
  });

  it('/incident page @person adds them as a responder on the linked PagerDuty incident', async () => {
    const inc = await openFromPagerDuty('Payments API timing out');
    const r = await dana().slashCommand(inc.channel, '/incident', `page <@${USERS.sam.id}|sam> Need database eyes on this`);
    expect(r.status).toBe(200);
    const request = await until(() => h.pd.state.responderRequests.find((q) => q.incidentId === inc.pdId), 'responder request created');
    await settled(h);
    expect(request.targetUserIds).toEqual([PD.users.sam]);
    expect(request.message).toBe('Need database eyes on this');
    // The requester is the PagerDuty user Kranz acts as (PAGERDUTY_FROM_EMAIL).
    expect(h.pd.state.users.get(request.requesterId)?.email).toBe(PD.fromEmail);
    expect(h.pd.state.responderRequests.filter((q) => q.incidentId === inc.pdId)).toHaveLength(1);
  });

  it('/incident page @person without a linked PagerDuty incident is explained and pages nobody', async () => {
    const dana2 = dana();
    await dana2.slashCommand('CGENERAL', '/incident', 'declare SEV3 Search results are stale');
    const ch = await until(() => [...h.slack.workspace.channels.values()].find((c) => c.name.includes('search-results-are-stale')), 'manual incident channel');
    // The channel exists in Slack a moment before Kranz records it: wait for that, as a person would.
    await settled(h);
    const before = h.pd.state.responderRequests.length;
    await dana2.slashCommand(ch.id, '/incident', `page <@${USERS.sam.id}|sam> help`);
    await settled(h);
    expect(ephemeralTexts(h, USERS.dana.id).at(-1)).toContain('has no PagerDuty incident to add a responder to');
    expect(h.pd.state.responderRequests.length).toBe(before);
  });
});
