/**
 * Customer-facing publication as a `KranzExtension`: the `statuspage` outbox
 * target (when STATUSPAGE_API_KEY and statuspage.page_id are set) and the
 * `email` target (when SMTP_URL is set). Each delivery records a timeline
 * event (`customer_update_published`, with the page's link) in the same
 * transaction as the delivery; a final refusal records
 * `customer_update_failed` and tells the incident channel why.
 */
import type { Deliverer, FollowUp } from './app/deliver-outbox.ts';
import { applyCommand, type CommandMeta } from './app/apply-command.ts';
import type { AppDeps, ClaimedOutboxRow } from './app/ports.ts';
import type { Command } from './domain/commands.ts';
import { asIncidentId } from './domain/ids.ts';
import { statusPagePolicy } from './domain/policy.ts';
import type { KranzExtension } from './runtime.ts';
import { StatusPageClient } from './adapters/statuspage/client.ts';
import { StatusPageDeliverer } from './adapters/statuspage/deliverer.ts';
import { EmailDeliverer, smtpTransport, type MailTransport } from './adapters/email/deliverer.ts';

export interface CustomersExtensionOptions {
  /** Spacing of Statuspage calls (default 1000 ms, Statuspage's limit); tests shorten it. */
  statusPageIntervalMs?: number;
  /** Wait after a 420/429 without Retry-After (default 30 s, STATUSPAGE_RATE_LIMIT_WAIT_MS); tests shorten it. */
  rateLimitWaitMs?: number;
  /** Another mail transport (tests); default SMTP_URL through nodemailer. */
  transport?: MailTransport;
}

const kranzMeta = (row: ClaimedOutboxRow, suffix: string): CommandMeta => ({
  actor: { kind: 'kranz' }, source: { kind: 'kranz', ref: row.idempotencyKey }, idempotencyKey: `${row.idempotencyKey}:${suffix}`,
});

function recordCommand(row: ClaimedOutboxRow, command: Command): FollowUp[] {
  return row.incidentId ? [{ kind: 'command', incidentId: asIncidentId(row.incidentId), command, meta: kranzMeta(row, 'published') }] : [];
}

/** Records a final refusal (and its channel message); the idempotency key makes a repeat harmless. */
function refusedBy(deps: AppDeps) {
  return async (row: ClaimedOutboxRow, channel: 'statuspage' | 'email', reason: string, to?: string): Promise<void> => {
    if (!row.incidentId) return;
    const updateEventId = (row.payload as { updateEventId?: string }).updateEventId;
    await applyCommand(deps, { id: asIncidentId(row.incidentId) }, { type: 'record_publication_failure', channel, reason, ...(to ? { to } : {}), ...(updateEventId ? { updateEventId } : {}) }, kranzMeta(row, 'refused'));
  };
}

export function customersExtension(opts: CustomersExtensionOptions = {}): KranzExtension {
  return {
    name: 'customers',
    async start(k) {
      const { env, deps } = k;
      const deliverers: Record<string, Deliverer> = {};
      const refused = refusedBy(deps);
      const sp = statusPagePolicy(deps.policy);
      const closers: (() => void)[] = [];
      if (env.statuspage.apiKey && sp.pageId) {
        const client = new StatusPageClient({ apiKey: env.statuspage.apiKey, apiUrl: env.statuspage.apiUrl, ...(opts.statusPageIntervalMs !== undefined ? { minIntervalMs: opts.statusPageIntervalMs } : {}) });
        deliverers['statuspage'] = new StatusPageDeliverer({
          client,
          pageIncidentOf: async (id) => (await deps.store.transaction((u) => u.incidents.readIncident(id)))?.customerFacing?.statusPage?.pageIncidentId,
          recorded: (row, p) => recordCommand(row, {
            type: 'record_publication', channel: 'statuspage', action: p.action, pageIncidentId: p.pageIncidentId, ...(p.url ? { url: p.url } : {}), ...(p.updateEventId ? { updateEventId: p.updateEventId } : {}),
          }),
          onRefused: (row, reason) => refused(row, 'statuspage', reason),
          onKeyRefused: (row, error) => k.log.error({ outboxId: row.id, incidentId: row.incidentId, error }, 'Statuspage refused STATUSPAGE_API_KEY; status page publications wait and retry until the key is fixed'),
          ...(opts.rateLimitWaitMs !== undefined ? { rateLimitWaitMs: opts.rateLimitWaitMs } : {}),
        });
      }
      if (env.email.smtpUrl && env.email.from) {
        const transport = opts.transport ?? smtpTransport(env.email.smtpUrl);
        closers.push(() => transport.close?.());
        deliverers['email'] = new EmailDeliverer({
          transport,
          from: env.email.from,
          recorded: (row, s) => recordCommand(row, { type: 'record_publication', channel: 'email', to: s.to, messageId: s.messageId, ...(s.updateEventId ? { updateEventId: s.updateEventId } : {}), ...(s.report ? { report: s.report } : {}) }),
          onRefused: (row, reason) => refused(row, 'email', reason, (row.payload as { to?: string }).to),
        });
      }
      return { deliverers, stop: async () => closers.forEach((c) => c()) };
    },
  };
}
