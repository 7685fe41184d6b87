/**
 * The `email` outbox target: one customer email per row, over SMTP with
 * nodemailer. Each message gets a stable `Message-ID` made from its incident,
 * its key and its recipient, and replies to the previous message of the same
 * incident to the same recipient (`In-Reply-To`, `References`), so a mail
 * client shows one thread per incident. A retry sends the same Message-ID, so
 * the rare resend after a crash between the server's "250 OK" and recording
 * it is one message to clients that collapse duplicates.
 *
 * Transient trouble (server down, 4xx replies, timeouts, login refused while
 * the credentials are being fixed) retries: nothing is lost while the mail
 * server is away. A 5xx refusal of the message or recipient is final: the row
 * is dead-lettered and the reason goes to the incident channel (`onRefused`).
 */
import { createHash } from 'node:crypto';
import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';
import { markdownToPlainText } from './plain-text.ts';
import type { Deliverer, DeliveryOutcome, FollowUp } from '../../app/deliver-outbox.ts';
import type { ClaimedOutboxRow } from '../../app/ports.ts';
import { decodePayload } from '../../app/outbox-rows.ts';
import { emailOpSchema } from './outbox-ops.ts';

/** Something that sends one message (nodemailer's transporter in production). */
export interface MailTransport {
  sendMail(m: SendMailOptions): Promise<{ messageId?: string; response?: string }>;
  close?(): void;
}

export interface EmailDelivererDeps {
  transport: MailTransport;
  /** KRANZ_MAIL_FROM. */
  from: string;
  recorded(row: ClaimedOutboxRow, sent: { to: string; messageId: string; updateEventId?: string; report?: string }): FollowUp[];
  onRefused(row: ClaimedOutboxRow, reason: string): Promise<void>;
}

/** The SMTP transport for `SMTP_URL` (smtp:// or smtps://), with short timeouts so an outage fails fast and retries. */
export function smtpTransport(smtpUrl: string): Transporter {
  return nodemailer.createTransport({ url: smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 } as never);
}

/** The domain part of the From address: every Message-ID ends in it. */
export function mailDomain(from: string): string {
  const addr = /<([^>]+)>/.exec(from)?.[1] ?? from;
  return addr.slice(addr.lastIndexOf('@') + 1).trim().toLowerCase() || 'kranz.invalid';
}

/** `<kranz.<incident>.<key>.<recipient hash>@<domain>>`: the same on every retry. */
export function messageIdFor(incidentId: string, key: string, to: string, domain: string): string {
  const who = createHash('sha256').update(to.trim().toLowerCase()).digest('hex').slice(0, 12);
  return `<kranz.${incidentId}.${key}.${who}@${domain}>`;
}

export class EmailDeliverer implements Deliverer {
  private readonly domain: string;

  constructor(private readonly d: EmailDelivererDeps) {
    this.domain = mailDomain(d.from);
  }

  async deliver(row: ClaimedOutboxRow): Promise<DeliveryOutcome> {
    const decoded = decodePayload(emailOpSchema, row);
    if (!decoded.ok) return { ok: false, retryable: false, error: decoded.error };
    const m = decoded.value;
    const thread = row.incidentId ?? 'none';
    const id = (key: string): string => messageIdFor(thread, key, m.to, this.domain);
    const messageId = id(m.messageKey);
    const previous = m.previousKeys.map(id);
    try {
      await this.d.transport.sendMail({
        from: this.d.from,
        to: m.to,
        subject: m.subject,
        // A report row queued before `format` existed carries Markdown too.
        text: m.format === 'markdown' || m.report !== undefined ? markdownToPlainText(m.text) : m.text,
        messageId,
        ...(previous.length ? { inReplyTo: previous[previous.length - 1], references: previous } : {}),
        // Tells vacation responders and ticket systems not to answer a notification.
        headers: { 'Auto-Submitted': 'auto-generated' },
      });
    } catch (e) {
      const error = describeSmtpError(e);
      if (isPermanent(e)) {
        await this.d.onRefused(row, error);
        return { ok: false, retryable: false, error };
      }
      return { ok: false, retryable: true, error };
    }
    return { ok: true, result: { messageId, to: m.to }, followUps: this.d.recorded(row, { to: m.to, messageId, ...(m.updateEventId ? { updateEventId: m.updateEventId } : {}), ...(m.report ? { report: m.report } : {}) }) };
  }
}

interface SmtpError {
  code?: string;
  responseCode?: number;
  response?: string;
  message?: string;
}

/** 5xx about the message or a recipient will not change on a retry; login trouble (530/535) is a setting being fixed. */
function isPermanent(e: unknown): boolean {
  const c = (e as SmtpError).responseCode;
  return c !== undefined && c >= 500 && c !== 530 && c !== 535;
}

function describeSmtpError(e: unknown): string {
  const x = e as SmtpError;
  if (x.responseCode) return `mail server answered ${x.responseCode}: ${(x.response ?? x.message ?? '').slice(0, 200)}`;
  return `mail server unreachable: ${x.code ?? ''} ${x.message ?? String(e)}`.trim();
}
