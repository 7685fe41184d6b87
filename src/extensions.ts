/**
 * The features `kranz start` plugs into the runtime beyond Slack: each is a
 * `KranzExtension`, so tests and the demo choose what runs.
 */
import type { KranzExtension } from './runtime.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { coalesce } from './lib/coalesce.ts';
import { PagerDutyClient } from './adapters/pagerduty/client.ts';
import { deliveryReads } from './adapters/db/store.ts';
import { PagerDutyDeliverer } from './adapters/pagerduty/deliverer.ts';
import { pagerDutyIncidents } from './adapters/pagerduty/incident-lookup.ts';
import { pagerDutyWebhookHandler } from './adapters/pagerduty/webhook-route.ts';
import { outboxWebClient } from './adapters/slack/bolt-app.ts';
import { slackWorkspacePeople } from './adapters/slack/workspace-people.ts';
import { createReminderTick } from './scheduler/reminder-tick.ts';
import { startScheduler } from './scheduler/scheduler.ts';
import { webViewSettings } from './config/env.ts';
import { incidentReads } from './adapters/db/incident-reads-sql.ts';
import { slackDirectory, slackSignIn } from './adapters/slack/web-sign-in.ts';
import { createWebHandler, isWebPath, webViewOff, type WebDeps } from './web/router.ts';
import { customersExtension } from './customers-extension.ts';

/**
 * While PagerDuty events keep coming, a replica applies them in passes at most
 * this often: each pass then claims a longer run per incident, in fewer
 * claims, transactions and commits (in the 3-replica storm, a quarter fewer
 * commits and a third less PostgreSQL CPU per delivery). An event waits at
 * most this long more to be applied; the first after a quiet spell does not wait.
 */
const PAGERDUTY_PASS_SPACING_MS = 100;

/** How long `/incident link` waits for PagerDuty's details of the incident it links. */
const LINK_LOOKUP_TIMEOUT_MS = 4_000;

/** PagerDuty: the signed webhook intake, the outbound target (notes, resolve, pages, on-call invites) and incident lookups for `/incident link`. */
export const pagerDutyExtension: KranzExtension = {
  name: 'pagerduty',
  async start(k) {
    const { env, deps, intake, log } = k;
    const applyPd = coalesce(async () => {
      await intake.applyPending('pagerduty');
      // Wake-ups during the pause are coalesced into the one pass after it. A pass that found nothing
      // pauses too: with several replicas it is usually one that another replica's claim beat.
      await sleep(PAGERDUTY_PASS_SPACING_MS);
    });
    const route = pagerDutyWebhookHandler({
      secrets: env.pagerduty.webhookSecrets,
      legacyV2: deps.policy.pagerduty.legacyV2,
      intake, deps, log, kick: applyPd,
      onEvent: (outcome, type) => k.metrics.pagerDutyEvents.inc({ outcome, type }),
      onRejected: (reason) => k.metrics.requestsRejected.inc({ source: 'pagerduty', reason }),
    });
    if (!env.pagerduty.token) return { routes: { pagerDutyWebhook: route } };
    const client = new PagerDutyClient({ token: env.pagerduty.token, from: env.pagerduty.fromEmail ?? '', apiUrl: env.pagerduty.apiUrl, log });
    // `/incident link` asks PagerDuty while the person waits (and the channel's next command behind her):
    // a shorter deadline than the outbox's, after which the link is made by id.
    const lookups = new PagerDutyClient({ token: env.pagerduty.token, from: env.pagerduty.fromEmail ?? '', apiUrl: env.pagerduty.apiUrl, log, timeoutMs: LINK_LOOKUP_TIMEOUT_MS });
    deps.pagerDuty = pagerDutyIncidents(lookups);
    const slack = env.slack.botToken ? outboxWebClient(env.slack.botToken, env.slack.apiUrl, log) : undefined;
    return {
      routes: { pagerDutyWebhook: route },
      deliverers: { pagerduty: new PagerDutyDeliverer({ client, reads: deliveryReads(k.db.pool), policy: deps.policy, ...(slack ? { people: slackWorkspacePeople(slack) } : {}), ...(env.pagerduty.fromEmail ? { fromEmail: env.pagerduty.fromEmail } : {}) }) },
      stop: async () => {
        client.close();
        lookups.close();
      },
    };
  },
};

/** Reminders: a node-cron tick every KRANZ_TICK_SECONDS, claimed in Postgres. Its handle says reminders run, which `/incident snooze` and the Snooze button need. */
export const remindersExtension: KranzExtension = {
  name: 'reminders',
  async start(k) {
    const tick = createReminderTick(k.deps, {
      log: k.log,
      tickSeconds: k.env.tickSeconds,
      onSent: (r) => k.metrics.remindersSent.inc({ reminder: r.kind }),
    });
    const scheduler = startScheduler({
      tickSeconds: k.env.tickSeconds,
      clock: k.deps.clock,
      log: k.log,
      // Reminders are outbox rows, delivered at once: the store wakes the worker after their commit.
      tick: (now) => tick(now),
    });
    return { runsReminders: true, stop: () => scheduler.stop() };
  },
};

/**
 * The web view (pages, JSON API, Sign in with Slack) on the same port. Off
 * (404 naming the variables) until SLACK_CLIENT_ID, SLACK_CLIENT_SECRET,
 * KRANZ_PUBLIC_URL and KRANZ_SESSION_SECRET are all set.
 */
export function webExtension(o: { live?: WebDeps['live'] } = {}): KranzExtension {
  return {
    name: 'web',
    async start(k) {
      const w = webViewSettings(k.env);
      const { botToken, apiUrl } = k.env.slack;
      if (!w.ok || !botToken) {
        const missing = w.ok ? ['SLACK_BOT_TOKEN'] : w.missing;
        return { routes: { web: { match: isWebPath, handle: webViewOff(missing) } } };
      }
      const handle = createWebHandler({
        settings: w.settings,
        reads: incidentReads(k.db.pool),
        slack: slackDirectory({ botToken, apiUrl }),
        // The same (cached) user-group lookups the permission checks use: admins see private incidents.
        access: k.deps.access,
        signIn: slackSignIn({ apiUrl, clientId: w.settings.clientId, clientSecret: w.settings.clientSecret }),
        policy: k.deps.policy,
        now: Date.now,
        incidentNow: () => k.deps.clock.now().getTime(),
        log: k.log,
        ...(o.live ? { live: o.live } : {}),
      });
      k.log.info({ url: w.settings.publicUrl }, 'web view on');
      return { routes: { web: { match: isWebPath, handle } } };
    },
  };
}

export function defaultExtensions(): KranzExtension[] {
  return [pagerDutyExtension, remindersExtension, webExtension(), customersExtension()];
}
