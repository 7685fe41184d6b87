/**
 * The customer report by email, and `/incident customer-report … edit|withhold`,
 * end to end through the Slack stand-in and a real SMTP server: the review
 * message offers "Send by email" when the customer has an address and Kranz a
 * mail server; an edit and a withheld part change what the re-drafted report
 * says; only the click on the re-drafted review sends it (the stale review's
 * click sends nothing); each contact gets one email, even after a double
 * click; the send is recorded with who sent it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customersExtension } from '../../src/customers-extension.ts';
import type { Policy } from '../../src/domain/policy.ts';
import { startSmtpStandIn, type SmtpStandIn } from '../../src/sandbox/smtp/stand-in.ts';
import { testPolicy } from '../helpers/domain.ts';
import { incidentChannel, outboxDrained, startHarness, USERS, type Harness } from '../helpers/kranz-harness.ts';
import { command, ephemeralTexts } from '../helpers/slack-e2e.ts';

let h: Harness;
let smtp: SmtpStandIn;
let ch = '';
const dana = () => h.slack.user(USERS.dana.id);

const policy: Policy = {
  ...testPolicy,
  customers: testPolicy.customers.map((c) => (c.id === 'acme' ? { ...c, mainContact: { ...c.mainContact, email: 'jane@acme.test' }, notifyEmails: ['ops@acme.test'] } : c)),
};

/** The review messages for Acme's report, oldest first. */
const reviews = () => h.slack.workspace.history(ch).filter((m) => (m.text ?? '').includes('Customer report for Acme Corp ready for review'));

beforeAll(async () => {
  smtp = await startSmtpStandIn();
  h = await startHarness({
    policy,
    extensions: [customersExtension()],
    env: { SMTP_URL: smtp.url, KRANZ_MAIL_FROM: 'Example Status <status@example.test>' },
  });
  await command(h, dana(), 'CGENERAL', 'declare SEV2 Exports are slow');
  ch = (await incidentChannel(h, 1)).id;
  await outboxDrained(h);
  await command(h, dana(), ch, 'root-cause A full disk on the export worker');
  await command(h, dana(), ch, 'action prevent Alert on export worker disk usage above 80 percent');
  await command(h, dana(), ch, 'resolve Exports run at normal speed again');
  await command(h, dana(), ch, 'close');
  await outboxDrained(h);
});
afterAll(async () => {
  await h?.close();
  await smtp?.close();
});

describe('customer report: edit, withhold, send by email', () => {
  it('offers Send by email beside Send on the review, and sends nothing by itself', () => {
    const first = reviews()[0];
    expect(first, 'review message').toBeDefined();
    const blocks = JSON.stringify(first?.blocks);
    expect(blocks).toContain('"action_id":"customer_report_send_email"');
    expect(blocks).toContain('Send to Acme Corp');
    expect(smtp.mails).toEqual([]);
  });

  it('/incident customer-report edit and withhold change the re-drafted report, and say so', async () => {
    const [edited] = await command(h, dana(), ch, 'customer-report acme edit summary Exports of reports took up to an hour for some accounts.');
    expect(edited).toContain('Customer report updated');
    const [withheld] = await command(h, dana(), ch, 'customer-report acme withhold measures');
    expect(withheld).toContain('Customer report updated');
    const [bad] = await command(h, dana(), ch, 'customer-report acme rewrite summary x');
    expect(bad).toMatch(/customer-report acme edit summary/);
    const r = await h.pool.query<{ data: { customer?: string; part: string; withheld?: boolean; text?: string }; actor: { userId: string } }>(
      "select data, actor from incident_events where type = 'customer_report_edited' order by seq",
    );
    expect(r.rows.map((x) => x.data)).toEqual([
      expect.objectContaining({ customer: 'acme', part: 'summary', text: 'Exports of reports took up to an hour for some accounts.' }),
      expect.objectContaining({ customer: 'acme', part: 'measures', withheld: true }),
    ]);
    expect(r.rows.every((x) => x.actor.userId === USERS.dana.id)).toBe(true);
    await command(h, dana(), ch, 'report');
    await outboxDrained(h);
    expect(reviews().length).toBeGreaterThanOrEqual(2);
  });

  it('sends nothing from the stale review: the report changed since', async () => {
    const stale = reviews()[0];
    await dana().blockAction({ channel: ch, messageTs: stale?.ts ?? '' }, 'customer_report_send_email');
    await outboxDrained(h);
    await h.slack.waitFor(() => ephemeralTexts(h, USERS.dana.id, ch).find((t) => /changed since/i.test(t)), { what: 'the "changed" answer' });
    expect(smtp.mails).toEqual([]);
  });

  it('emails the reviewed report once to each contact after the click, and records who sent it', async () => {
    const latest = reviews().at(-1);
    await Promise.all([1, 2].map(() => dana().blockAction({ channel: ch, messageTs: latest?.ts ?? '' }, 'customer_report_send_email')));
    await outboxDrained(h);
    await h.slack.waitFor(() => (smtp.mails.length >= 2 ? true : undefined), { what: 'two emails' });
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.mails.map((m) => m.to).sort()).toEqual([['jane@acme.test'], ['ops@acme.test']]);
    for (const m of smtp.mails) {
      expect(m.subject).toBe('[INC-1] Incident report for Acme Corp');
      expect(m.fromHeader).toContain('status@example.test');
      expect(m.messageId).toMatch(/^<kranz\.[0-9a-f-]+\.report-[0-9a-f]{16}\.[0-9a-f]{12}@example\.test>$/);
      // Plain text rendered from the reviewed Markdown: headings set off, no Markdown marks or escapes.
      expect(m.text).toMatch(/^Summary\n-------$/m);
      expect(m.text).not.toMatch(/##|\*\*|\\[_<>*[\]]/);
      expect(m.text).toContain('Exports of reports took up to an hour for some accounts.');
      expect(m.text).not.toContain('Alert on export worker disk usage');
      expect(m.text).not.toMatch(/<@|UDANA|event [0-9a-f]{8}/);
    }
    const sent = await h.pool.query<{ actor: { userId: string }; data: { customer: string; to: string; via: string } }>("select actor, data from incident_events where type = 'customer_report_sent'");
    expect(sent.rows).toHaveLength(1);
    expect(sent.rows[0]?.actor.userId).toBe(USERS.dana.id);
    expect(sent.rows[0]?.data).toMatchObject({ customer: 'acme', via: 'email', to: 'jane@acme.test, ops@acme.test' });
    const delivered = await h.pool.query<{ data: { to: string; report?: string } }>("select data from incident_events where type = 'customer_update_published' order by seq");
    expect(delivered.rows.map((r) => r.data).sort((a, b) => a.to.localeCompare(b.to))).toEqual([
      expect.objectContaining({ to: 'jane@acme.test', report: 'acme' }), expect.objectContaining({ to: 'ops@acme.test', report: 'acme' }),
    ]);
    expect(h.slack.workspace.history(ch).some((m) => (m.text ?? '').includes('customer report was sent to Acme Corp by email'))).toBe(true);
    // Nothing reached Acme's Slack channel: this send was by email.
    expect([...h.slack.workspace.canvases.values()].filter((c) => c.channelId === 'CACME')).toEqual([]);
  });
});
