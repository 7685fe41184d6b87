/**
 * The customer's side of an incident as tests meet it: a Statuspage stand-in
 * with one page and its components, an SMTP server, and the environment that
 * points Kranz at both.
 */
import { startSmtpStandIn, type SmtpStandIn } from '../../src/sandbox/smtp/stand-in.ts';
import { startStatusPageStandIn, STATUSPAGE_STAND_IN_KEY, type StatusPageStandIn } from '../../src/sandbox/statuspage/stand-in.ts';

export interface CustomerOutlets {
  sp: StatusPageStandIn;
  smtp: SmtpStandIn;
  /** STATUSPAGE_API_KEY, STATUSPAGE_API_URL, SMTP_URL and KRANZ_MAIL_FROM for Kranz. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export const MAIL_FROM = 'Example Status <status@example.test>';

export async function startCustomerOutlets(o: {
  pageId: string;
  components: { id: string; name: string }[];
  statusPage?: Parameters<typeof startStatusPageStandIn>[0];
}): Promise<CustomerOutlets> {
  const sp = await startStatusPageStandIn(o.statusPage);
  sp.state.addPage({ id: o.pageId, name: 'Example Status' });
  for (const c of o.components) sp.state.addComponent(o.pageId, c);
  const smtp = await startSmtpStandIn();
  return {
    sp, smtp,
    env: { STATUSPAGE_API_KEY: STATUSPAGE_STAND_IN_KEY, STATUSPAGE_API_URL: sp.apiUrl, SMTP_URL: smtp.url, KRANZ_MAIL_FROM: MAIL_FROM },
    async close() {
      await sp.close();
      await smtp.close();
    },
  };
}
