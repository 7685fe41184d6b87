/**
 * The runtime contract: what a running Kranz offers to the features plugged
 * into it (extensions), and what `startKranz` takes and returns. Extensions,
 * the demo and the tests depend on this module, not on the composition root
 * in `main.ts`, so the wiring can change without touching them.
 */
import type { ActivityReads } from './app/query-activity.ts';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { Deliverer, OutboxWorker } from './app/deliver-outbox.ts';
import type { AppDeps, Clock } from './app/ports.ts';
import type { EnvConfig } from './config/env.ts';
import type { Policy } from './domain/policy.ts';
import type { Database } from './adapters/db/pool.ts';
import type { Handler, WebRoute } from './adapters/http/server.ts';
import type { Intake } from './adapters/intake/intake.ts';
import type { Spool } from './adapters/intake/spool.ts';
import type { Metrics } from './adapters/metrics.ts';
import type { SlackApp } from './adapters/slack/bolt-app.ts';

/** What a running Kranz hands to each extension. */
export interface KranzRuntime {
  env: EnvConfig;
  deps: AppDeps;
  db: Database;
  intake: Intake;
  spool: Spool;
  metrics: Metrics;
  log: Logger;
  installationId: string;
  /** Installation-wide reads (every incident's events, work in flight, the last report): app/query-activity.ts. */
  activity: ActivityReads;
  /** Wakes the outbox worker: something was just queued. */
  kick(): void;
  workerId: string;
}

/** A feature that needs the running Kranz (PagerDuty intake, scheduler, metrics). */
export interface KranzExtension {
  name: string;
  start(k: KranzRuntime): Promise<ExtensionHandle | void>;
}

/** What a started extension adds to Kranz. */
export interface ExtensionHandle {
  routes?: { pagerDutyWebhook?: Handler; metrics?: Handler; web?: WebRoute };
  /** True when this extension sends reminders, so `/incident snooze` and the Snooze button have something to hold. */
  runsReminders?: boolean;
  deliverers?: Record<string, Deliverer>;
  stop?(): Promise<void>;
}

export interface KranzOptions {
  env: EnvConfig;
  policy: Policy;
  log?: Logger;
  clock?: Clock;
  /** Extra outbox targets (tests). */
  deliverers?: Record<string, Deliverer>;
  /** How often the outbox is polled when nothing announces a row (default 5 s: new rows NOTIFY, retries set a timer). */
  outboxPollMs?: number;
  /**
   * Outbox rows claimed and delivered side by side per pass (default 20).
   * The demo uses 1 so Kranz's calls happen, and are told, in the order it queued them.
   */
  outboxBatch?: number;
  /** How often spooled and unapplied inbound requests are retried. */
  intakePollMs?: number;
  /**
   * How long a stored slash command's ack waits for its answer (default 25 ms):
   * ready by then, the answer rides on the ack; later, it goes to response_url.
   */
  answerInAckWaitMs?: number;
  /** How long one `/healthz` check's result is shared by every caller (default 2 s). */
  healthCacheMs?: number;
  /** Start the HTTP server (false for `kranz migrate`-like uses). */
  listen?: boolean;
  /** Hooks later layers plug in (PagerDuty intake, reminders, metrics). */
  extensions?: KranzExtension[];
}

/** A started Kranz, as `startKranz` returns it. */
export interface Kranz extends KranzRuntime {
  url: string;
  server?: Server;
  slack?: SlackApp;
  outbox: OutboxWorker;
  stop(): Promise<void>;
}

/** Starts a Kranz: `startKranz` from the composition root, passed in by whoever owns it (the CLI, tests). */
export type StartKranz = (o: KranzOptions) => Promise<Kranz>;
