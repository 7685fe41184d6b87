/**
 * A local SMTP server (the `smtp-server` package) for tests and the offline
 * demo: it speaks real SMTP, accepts any login, and keeps every message it
 * received, raw and parsed (mailparser). `stop()` and `start()` take it down
 * and bring it back on the same port, the way a mail server outage looks to a
 * client: connection refused, then service again. `holdAnswer(match)` keeps
 * the next matching message but holds back its "250 OK" until released: the
 * sender cannot know it was delivered (and sends it again if it retries).
 */
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  /** SMTP envelope. */
  from: string;
  to: string[];
  raw: string;
  messageId: string;
  inReplyTo?: string;
  references: string[];
  subject: string;
  fromHeader: string;
  toHeader: string;
  date?: Date;
  text: string;
  receivedAt: Date;
}

export interface SmtpStandIn {
  /** `smtp://127.0.0.1:<port>`: give it to Kranz as SMTP_URL. */
  url: string;
  port: number;
  mails: ReceivedMail[];
  /** Recipients answered `550 mailbox unavailable` (a permanent refusal). */
  refused: Set<string>;
  /** The next message matching `match` is kept, and its 250 waits for `release()`. */
  holdAnswer(match: (m: ReceivedMail) => boolean): { arrived: Promise<ReceivedMail>; release(): void };
  /** Refuses connections until `start()`. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startSmtpStandIn(opts: { port?: number } = {}): Promise<SmtpStandIn> {
  const mails: ReceivedMail[] = [];
  const refused = new Set<string>();
  const holds: { match: (m: ReceivedMail) => boolean; arrive: (m: ReceivedMail) => void; released: Promise<void> }[] = [];
  let server: SMTPServer | undefined;
  let port = opts.port ?? 0;

  const listen = async (): Promise<void> => {
    const s = new SMTPServer({
      secure: false,
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onAuth: (_auth, _session, cb) => cb(null, { user: 'sandbox' }),
      onRcptTo: (address, _session, cb) => {
        if (!refused.has(address.address.toLowerCase())) return cb();
        cb(Object.assign(new Error(`mailbox unavailable: ${address.address}`), { responseCode: 550 }));
      },
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          simpleParser(raw).then(
            (m) => {
              const refs = m.references === undefined ? [] : Array.isArray(m.references) ? m.references : [m.references];
              const addr = (a: typeof m.to): string => (a === undefined ? '' : Array.isArray(a) ? a.map((x) => x.text).join(', ') : a.text);
              const mail: ReceivedMail = {
                from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
                to: session.envelope.rcptTo.map((r) => r.address),
                raw, messageId: m.messageId ?? '', ...(m.inReplyTo ? { inReplyTo: m.inReplyTo } : {}), references: refs,
                subject: m.subject ?? '', fromHeader: addr(m.from), toHeader: addr(m.to), ...(m.date ? { date: m.date } : {}),
                text: m.text ?? '', receivedAt: new Date(),
              };
              mails.push(mail);
              const i = holds.findIndex((h) => h.match(mail));
              if (i < 0) return cb();
              const [hold] = holds.splice(i, 1);
              hold!.arrive(mail);
              // The sender may be gone by the time the answer goes: its connection is closed then, and that is the point.
              void hold!.released.then(() => {
                try {
                  cb();
                } catch {
                  /* the client hung up */
                }
              });
            },
            (e: unknown) => cb(e instanceof Error ? e : new Error(String(e))),
          );
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        s.removeListener('error', reject);
        resolve();
      });
    });
    s.on('error', () => undefined);
    port = (s.server.address() as AddressInfo).port;
    server = s;
  };
  const shut = async (): Promise<void> => {
    const s = server;
    server = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };

  await listen();
  return {
    get url() {
      return `smtp://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    mails,
    refused,
    holdAnswer(match) {
      let arrive!: (m: ReceivedMail) => void;
      let release!: () => void;
      const arrived = new Promise<ReceivedMail>((r) => (arrive = r));
      const released = new Promise<void>((r) => (release = r));
      holds.push({ match, arrive, released });
      return { arrived, release };
    },
    stop: shut,
    start: listen,
    close: shut,
  };
}

/** A received mail as the customer's mail client shows it. */
export function renderMail(m: ReceivedMail): string[] {
  return [
    `From: ${m.fromHeader}`,
    `To: ${m.toHeader}`,
    `Subject: ${m.subject}`,
    `Message-ID: ${m.messageId}`,
    ...(m.inReplyTo ? [`In-Reply-To: ${m.inReplyTo}`] : []),
    ...(m.references.length ? [`References: ${m.references.join(' ')}`] : []),
    '',
    ...m.text.trimEnd().split('\n'),
  ];
}
