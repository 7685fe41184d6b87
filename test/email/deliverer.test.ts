/**
 * The email deliverer over real SMTP (nodemailer → the smtp-server stand-in):
 * stable Message-IDs that thread per incident and recipient, the incident
 * number in the subject, retries while the server is down, and a dead letter
 * with the reason when the server refuses the recipient.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmailDeliverer, mailDomain, messageIdFor, smtpTransport } from '../../src/adapters/email/deliverer.ts';
import type { ClaimedOutboxRow } from '../../src/app/ports.ts';
import type { CustomerEmail } from '../../src/domain/effects.ts';
import { renderMail, startSmtpStandIn, type SmtpStandIn } from '../../src/sandbox/smtp/stand-in.ts';

let smtp: SmtpStandIn;
let deliverer: EmailDeliverer;
const refused: string[] = [];
const sent: string[] = [];
const FROM = 'Example Status <status@status.example.com>';

beforeAll(async () => {
  smtp = await startSmtpStandIn();
  deliverer = new EmailDeliverer({
    transport: smtpTransport(smtp.url),
    from: FROM,
    recorded: (_row, s) => {
      sent.push(s.messageId);
      return [];
    },
    onRefused: async (_row, reason) => {
      refused.push(reason);
    },
  });
});
afterAll(async () => smtp?.close());

let seq = 0;
function row(to: string, messageKey: string, previousKeys: string[], text: string): ClaimedOutboxRow {
  const payload: CustomerEmail = { kind: 'email.send', to, customerId: 'acme', subject: '[INC-7] Checkout is slow', text, messageKey, previousKeys };
  return { id: ++seq, incidentId: 'inc-7', target: 'email', orderKey: `email:inc-7:${to}`, op: 'email.send', idempotencyKey: `e${seq}`, attempts: 1, createdAt: new Date().toISOString(), payload };
}

describe('EmailDeliverer', () => {
  it('ids messages from the From domain, the same on every try', () => {
    expect(mailDomain(FROM)).toBe('status.example.com');
    expect(mailDomain('ops@Example.ORG')).toBe('example.org');
    const a = messageIdFor('inc-7', 'u1', 'Jane@acme.example', 'status.example.com');
    expect(a).toBe(messageIdFor('inc-7', 'u1', 'jane@acme.example', 'status.example.com'));
    expect(a).toMatch(/^<kranz\.inc-7\.u1\.[0-9a-f]{12}@status\.example\.com>$/);
    expect(a).not.toBe(messageIdFor('inc-7', 'u1', 'ops@acme.example', 'status.example.com'));
  });

  it('threads the messages of one incident to one recipient', async () => {
    expect((await deliverer.deliver(row('jane@acme.example', 'u1', [], 'First.'))).ok).toBe(true);
    expect((await deliverer.deliver(row('jane@acme.example', 'u2', ['u1'], 'Second.'))).ok).toBe(true);
    expect((await deliverer.deliver(row('jane@acme.example', 'u3', ['u1', 'u2'], 'Third.'))).ok).toBe(true);
    const mails = smtp.mails.filter((m) => m.to.includes('jane@acme.example'));
    expect(mails.map((m) => m.subject)).toEqual(['[INC-7] Checkout is slow', '[INC-7] Checkout is slow', '[INC-7] Checkout is slow']);
    const [m1, m2, m3] = mails;
    expect(m1?.inReplyTo).toBeUndefined();
    expect(m2?.inReplyTo).toBe(m1?.messageId);
    expect(m3?.inReplyTo).toBe(m2?.messageId);
    expect(m3?.references).toEqual([m1?.messageId, m2?.messageId]);
    expect(sent).toEqual(mails.map((m) => m.messageId));
    expect(m1?.fromHeader).toBe('"Example Status" <status@status.example.com>');
    expect(m1?.raw).toMatch(/^Auto-Submitted: auto-generated/m);
    expect(renderMail(m2!).join('\n')).toContain(`In-Reply-To: ${m1?.messageId}`);
  });

  it('retries while the server is down, and the retry goes through once it is back', async () => {
    await smtp.stop();
    const r = row('ops@acme.example', 'u1', [], 'While down.');
    const down = await deliverer.deliver(r);
    expect(down).toMatchObject({ ok: false, retryable: true, error: expect.stringMatching(/^mail server unreachable: ECONNECTION|^mail server unreachable/) });
    await smtp.start();
    expect((await deliverer.deliver({ ...r, attempts: 2 })).ok).toBe(true);
    expect(smtp.mails.filter((m) => m.text.includes('While down.'))).toHaveLength(1);
  });

  it('dead-letters a refused recipient and says why', async () => {
    smtp.refused.add('gone@acme.example');
    const out = await deliverer.deliver(row('gone@acme.example', 'u1', [], 'Nobody home.'));
    expect(out).toMatchObject({ ok: false, retryable: false, error: expect.stringContaining('550') });
    expect(refused).toEqual([expect.stringContaining('mailbox unavailable')]);
  });
  it('sends a customer report as readable plain text, not escaped Markdown', async () => {
    const markdown = [
      '# Incident report for Acme Corp: Tuesday 14 May 2024', '', '_Reference INC-42._', '', '## Summary', '',
      '**What you experienced:** Errors on payment\\_api \\<5% after rollback; see \\*checkout\\* \\[EU\\]', '',
      '- **08:40** The service began to be affected.', '- **09:06** Update (investigating): `checkout` fails.', '',
      '1. Fail the build', '2. Canary [releases](https://example.com/canary)', '',
    ].join('\n');
    const payload: CustomerEmail = { kind: 'email.send', to: 'report@acme.example', customerId: 'acme', subject: '[INC-42] Incident report for Acme Corp', text: markdown, format: 'markdown', messageKey: 'report-1', previousKeys: [], report: 'acme' };
    const r = await deliverer.deliver({ ...row('report@acme.example', 'report-1', [], ''), payload });
    expect(r.ok).toBe(true);
    const mail = smtp.mails.find((m) => m.to.includes('report@acme.example'))!;
    const text = mail.text;
    expect(text).toContain('Errors on payment_api <5% after rollback; see *checkout* [EU]');
    expect(text).not.toMatch(/\\|\*\*|(^|\s)_Reference/);
    expect(text).toMatch(/^INCIDENT REPORT FOR ACME CORP: TUESDAY 14 MAY 2024$/m);
    expect(text).toMatch(/^Summary\n-------$/m);
    expect(text).toContain('Reference INC-42.');
    expect(text).toMatch(/^- 08:40 The service began to be affected\.$/m);
    expect(text).toMatch(/^- 09:06 Update \(investigating\): checkout fails\.$/m);
    expect(text).toMatch(/^1\. Fail the build\n2\. Canary releases \(https:\/\/example\.com\/canary\)$/m);
  });
});
