/**
 * Fault 7: `kill -9` of a `kranz start` child while it publishes a status
 * update to the status page and by email, then a restart while Statuspage
 * answers 429 for 30 s (a key shared with another tool that used up the
 * budget; each answer carries Retry-After, as Statuspage's do).
 *
 * Three customer-facing updates and a resolve, all acknowledged by Slack.
 * Kranz dies right after the status page applied update 2 and the mail server
 * took update 2's email to the main contact, before either answer reached
 * Kranz (the worst moment: done, not recorded). After the
 * restart, the status page must show exactly one incident with each update
 * once, in order, then resolved; each contact must have one email per update
 * and one for the resolution, in one thread (the resend of the email whose answer was lost carries the same Message-ID,
 * so a mail client shows it once: counted as a duplicate delivery, never as a
 * second message).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlackStandIn } from '../../src/sandbox/slack/index.ts';
import type { SmtpStandIn } from '../../src/sandbox/smtp/stand-in.ts';
import { STATUSPAGE_STAND_IN_KEY, type StatusPageStandIn } from '../../src/sandbox/statuspage/stand-in.ts';
import { startCustomerOutlets, type CustomerOutlets } from '../helpers/customer-outlets.ts';
import { startKranzChild, type KranzChild } from '../helpers/faults-child.ts';
import { FAULT_BOT_TOKEN, FAULT_SIGNING_SECRET, FAULT_USERS, printFigures, startFaultSlack, until } from '../helpers/faults-kranz.ts';
import { freePort, startFaultPostgres, type FaultPostgres } from '../helpers/faults-pg.ts';

const PAGE = 'faultpage001';
const CHECKOUT = 'chkoutcomp01';
const JANE = 'jane@acme.test';
const CONTACTS = [JANE, 'ops@acme.test'];
/** The 429 window the issue asks Kranz to ride out. */
const LIMITED_MS = 30_000;

const POLICY_YAML = `
severities:
  SEV1:
    update_cadence: 30m
    customer_contact_deadline: 15m
    email_updates: true
announcements_channel: CANNOUNCE
stakeholder_channel: CSTAKE
customers:
  - id: acme
    name: Acme Corp
    main_contact: { name: Jane Doe, phone: "+1 555 0100", email: ${CONTACTS[0]} }
    notify_emails: [${CONTACTS[1]}]
    slack_channel: CACME
    sla: { target: 99.9%, period: monthly }
statuspage:
  page_id: ${PAGE}
  publish: auto
  components:
    checkout:
      component_id: ${CHECKOUT}
`;

const UPDATES = [
  { status: 'investigating', summary: 'Some card payments fail at checkout. We are investigating.', impact: 'major_outage' },
  { status: 'identified', summary: 'A configuration change to the payment gateway is the cause; rolling it back.', impact: 'partial_outage' },
  { status: 'monitoring', summary: 'Rolled back. Payments succeed again; we are watching.', impact: 'degraded_performance' },
] as const;

let server: FaultPostgres;
let slack: SlackStandIn;
let outlets: CustomerOutlets;
let sp: StatusPageStandIn;
let smtp: SmtpStandIn;
let dir: string;
let pool: pg.Pool;
let env: Record<string, string>;
const children: KranzChild[] = [];

beforeAll(async () => {
  server = await startFaultPostgres();
  slack = await startFaultSlack();
  outlets = await startCustomerOutlets({ pageId: PAGE, components: [{ id: CHECKOUT, name: 'Checkout' }] });
  ({ sp, smtp } = outlets);
  dir = await mkdtemp(join(tmpdir(), 'kranz-faults-publish-'));
  await writeFile(join(dir, 'kranz.yml'), POLICY_YAML);
  const port = await freePort();
  slack.setBotEndpoint(`http://127.0.0.1:${port}/slack/events`);
  env = {
    SLACK_BOT_TOKEN: FAULT_BOT_TOKEN,
    SLACK_SIGNING_SECRET: FAULT_SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    DATABASE_URL: server.url,
    PORT: String(port),
    KRANZ_DATA_DIR: join(dir, 'data'),
    KRANZ_CONFIG: join(dir, 'kranz.yml'),
    ...outlets.env,
    LOG_LEVEL: 'warn',
  };
  pool = new pg.Pool({ connectionString: server.url, max: 2 });
  pool.on('error', () => undefined);
}, 120_000);
afterAll(async () => {
  for (const c of children) await c.kill9();
  await pool?.end();
  await slack?.close();
  await outlets?.close();
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const dana = () => slack.user(FAULT_USERS.dana.id);

/** `/incident update` and its form, as a responder fills it in; true once Slack got the form's 200. */
async function postUpdate(channel: string, u: (typeof UPDATES)[number], title?: string): Promise<boolean> {
  await dana().slashCommand(channel, '/incident', 'update');
  const form = await slack.waitFor(() => {
    const v = slack.workspace.topModal(FAULT_USERS.dana.id);
    return v?.open && v.callback_id === 'status_update' ? v : undefined;
  }, { what: `the update form for ${u.status}`, timeoutMs: 60_000 });
  const r = await dana().submitView(form.id, { status: u.status, summary: u.summary, next: '20m', ...(title ? { cf_title: title } : {}), cf_impact_checkout: u.impact });
  return r.status === 200 && r.responseAction !== 'errors';
}

const pageIncident = () => sp.state.pageIncidents(PAGE)[0];

describe('kill -9 while publishing to the status page and email, then a 30 s 429 window', () => {
  it('publishes every acknowledged update once, in order, and emails each contact once per update and once for the resolution', async () => {
    let kranz = await startKranzChild(env);
    children.push(kranz);
    await dana().slashCommand('CGENERAL', '/incident', 'declare SEV1 Payments failing at checkout');
    const channel = await until(async () => [...slack.workspace.channels.values()].find((c) => c.name.startsWith('inc-1-'))?.id, { timeoutMs: 30_000, what: 'the incident channel' });

    // Update 1 goes out normally: the page incident and the first two emails.
    const acked: boolean[] = [];
    acked.push(await postUpdate(channel, UPDATES[0], 'Card payments are failing'));
    await until(async () => (pageIncident() && smtp.mails.length >= 2 ? true : undefined), { timeoutMs: 30_000, what: 'update 1 on the page and by email' });

    // Update 2: the page applies it and the mail server takes Jane's email; neither answer reaches Kranz: kill -9 then.
    const held = sp.faults.holdAnswer((r) => r.method === 'PATCH' && /\/incidents\//.test(r.path));
    const heldMail = smtp.holdAnswer((m) => m.to.includes(JANE) && m.text.includes(UPDATES[1].summary));
    acked.push(await postUpdate(channel, UPDATES[1]));
    await Promise.all([held.arrived, heldMail.arrived]);
    const emailsAtKill = smtp.mails.length;
    await kranz.kill9();
    held.release();
    heldMail.release();
    const pageUpdatesAtKill = pageIncident()?.incident_updates.length ?? 0;

    // Statuspage pushes back for 30 s from now; Kranz comes back into it.
    sp.faults.rateLimitFor(LIMITED_MS);
    const limitedFrom = Date.now();
    const restartedAt = Date.now();
    kranz = await startKranzChild(env);
    children.push(kranz);
    const restartS = (Date.now() - restartedAt) / 1000;
    acked.push(await postUpdate(channel, UPDATES[2]));
    await dana().slashCommand(channel, '/incident', 'resolve Payments are back to normal');

    const done = await until(async () => (pageIncident()?.status === 'resolved' ? pageIncident() : undefined), { timeoutMs: 150_000, everyMs: 250, what: 'the status page incident resolved' });
    await until(async () => (smtp.mails.length >= CONTACTS.length * (UPDATES.length + 1) ? true : undefined), { timeoutMs: 60_000, what: 'every update and the resolution emailed' });
    // Whatever else is queued gets its chance to (wrongly) go out twice.
    await until(async () => {
      const r = await pool.query<{ n: string }>("select count(*)::text as n from outbox where status = 'pending' and target in ('statuspage', 'email')");
      return r.rows[0]?.n === '0' ? true : undefined;
    }, { timeoutMs: 60_000, what: 'the publication rows delivered' });
    const resolvedAfterS = (Date.now() - limitedFrom) / 1000;

    // The page: one incident, each update once, in order, then resolved; the component operational again.
    expect(sp.state.pageIncidents(PAGE)).toHaveLength(1);
    const history = [...done.incident_updates].reverse().map((u) => [u.status, u.body]);
    expect(history).toEqual([...UPDATES.map((u) => [u.status, u.summary]), ['resolved', 'This incident has been resolved.']]);
    expect(sp.state.components.get(CHECKOUT)?.status).toBe('operational');
    const limited = sp.requests.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited.every((r) => r.headers.authorization === `OAuth ${STATUSPAGE_STAND_IN_KEY}`)).toBe(true);
    // Nothing got through while the window was closed, and Kranz did not hammer the key meanwhile.
    expect(limited.length).toBeLessThan(LIMITED_MS / 1000);
    expect(resolvedAfterS).toBeGreaterThanOrEqual(LIMITED_MS / 1000 - 1);

    // Email: per contact, one distinct message per update and one for the resolution, threaded; a resend after the kill reuses its Message-ID.
    const byContact = new Map<string, typeof smtp.mails>();
    for (const m of smtp.mails) for (const to of m.to) byContact.set(to, [...(byContact.get(to) ?? []), m]);
    let duplicates = 0;
    for (const to of CONTACTS) {
      const mails = byContact.get(to) ?? [];
      const ids = [...new Set(mails.map((m) => m.messageId))];
      duplicates += mails.length - ids.length;
      expect(ids).toHaveLength(UPDATES.length + 1);
      const distinct = ids.map((id) => mails.find((m) => m.messageId === id)!);
      expect(distinct.map((m) => m.subject)).toEqual([...UPDATES, 'resolution'].map(() => '[INC-1] Card payments are failing'));
      expect(distinct.map((m) => m.text.includes(UPDATES[0].summary) ? 1 : m.text.includes(UPDATES[1].summary) ? 2 : m.text.includes(UPDATES[2].summary) ? 3 : m.text.includes('This incident has been resolved.') ? 4 : 0).sort()).toEqual([1, 2, 3, 4]);
      // Each later message replies to an earlier one of the same thread.
      for (const m of distinct.slice(1)) expect(ids).toContain(m.inReplyTo);
    }
    // SMTP has no idempotency: an email whose 250 never reached Kranz (Jane's, held; Ops's, if it was
    // in flight too) is sent again after the restart, with the same Message-ID (one message in the
    // customer's mail client). Only those of update 2, the one being published at the kill.
    expect(duplicates).toBeGreaterThanOrEqual(1);
    expect(duplicates).toBeLessThanOrEqual(CONTACTS.length);
    const twice = new Set(smtp.mails.filter((m) => smtp.mails.filter((x) => x.messageId === m.messageId).length > 1)
      .map((m) => `${m.to.join(',')} ${m.text.includes(UPDATES[1].summary) ? 'update 2' : 'another update'}`));
    expect(twice).toContain(`${JANE} update 2`);
    expect([...twice].every((t) => t.endsWith(' update 2'))).toBe(true);

    const events = await pool.query<{ n: string }>("select count(*)::text as n from incident_events where type = 'customer_update_published' and data->>'channel' = 'statuspage'");
    printFigures({
      fault: 'kill -9 while publishing to the status page and email, restart into a 30 s 429 window',
      sent: UPDATES.length + 1,
      acknowledged: acked.filter(Boolean).length + 1,
      applied: done.incident_updates.length,
      duplicated: history.length - new Set(history.map((h) => h.join('|'))).size,
      lost: UPDATES.length + 1 - done.incident_updates.length,
      extra: {
        'page updates when killed': pageUpdatesAtKill,
        'emails when killed': emailsAtKill,
        'emails received / distinct': `${smtp.mails.length} / ${smtp.mails.length - duplicates}`,
        '429 answers in the window': limited.length,
        'restart to healthy': `${restartS.toFixed(1)} s`,
        'window start to resolved on the page': `${resolvedAfterS.toFixed(1)} s`,
        'publications recorded (status page)': Number(events.rows[0]?.n ?? 0),
      },
    });
    expect(acked.every(Boolean)).toBe(true);
  }, 240_000);
});
