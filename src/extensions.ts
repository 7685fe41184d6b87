/**
 * The features `kranz start` plugs into the runtime beyond Slack: each is a
 * `KranzExtension`, so tests and the demo choose what runs.
 */
import type { KranzExtension } from './main.ts';
import { PagerDutyClient } from './adapters/pagerduty/client.ts';
import { PagerDutyDeliverer } from './adapters/pagerduty/deliverer.ts';
import { pagerDutyWebhookHandler } from './adapters/pagerduty/webhook-route.ts';
import { outboxWebClient } from './adapters/slack/bolt-app.ts';

/** Coalesces wake-ups: at most one run in flight, and one more if woken meanwhile. */
export function coalesce(run: () => Promise<unknown>): () => void {
  let running = false;
  let again = false;
  const go = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        await run();
      } while (again);
    } finally {
      running = false;
    }
  };
  return () => void go().catch(() => undefined);
}

/** PagerDuty: the signed webhook intake and the outbound target (notes, resolve, pages, on-call invites). */
export const pagerDutyExtension: KranzExtension = {
  name: 'pagerduty',
  async start(k) {
    const { env, deps, intake, log } = k;
    const applyPd = coalesce(async () => {
      await intake.applyPending('pagerduty');
      k.kick();
    });
    const route = pagerDutyWebhookHandler({
      secrets: env.pagerduty.webhookSecrets,
      legacyV2: deps.policy.pagerduty.legacyV2,
      intake, deps, log, kick: applyPd,
      onEvent: (outcome, type) => k.metrics.pagerDutyEvents.inc({ outcome, type }),
    });
    if (!env.pagerduty.token) return { routes: { pagerDutyWebhook: route } };
    const client = new PagerDutyClient({ token: env.pagerduty.token, from: env.pagerduty.fromEmail ?? '', apiUrl: env.pagerduty.apiUrl });
    const slack = env.slack.botToken ? outboxWebClient(env.slack.botToken, env.slack.apiUrl) : undefined;
    return {
      routes: { pagerDutyWebhook: route },
      deliverers: { pagerduty: new PagerDutyDeliverer({ client, store: deps.store, policy: deps.policy, ...(slack ? { slack } : {}) }) },
      stop: async () => client.close(),
    };
  },
};

export function defaultExtensions(): KranzExtension[] {
  return [pagerDutyExtension];
}
