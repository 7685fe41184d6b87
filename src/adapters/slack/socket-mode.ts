/**
 * Socket Mode: Kranz connects out to Slack (no public URL) with the app-level
 * token. Each envelope goes to the same receiver as an HTTP request, which
 * stores it before it is acknowledged; the client here only carries frames.
 */
import { SocketModeClient, LogLevel } from '@slack/socket-mode';
import type { KranzReceiver } from './receiver.ts';
import { slackLogger } from './logger.ts';

export interface SocketModeOptions {
  appToken: string;
  /** SLACK_API_URL: `apps.connections.open` is called there. */
  apiUrl: string;
  receiver: Pick<KranzReceiver, 'handleSocketEnvelope'>;
  log: Parameters<typeof slackLogger>[0];
}

export interface SocketModeConnection {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function socketModeConnection(o: SocketModeOptions): SocketModeConnection {
  const client = new SocketModeClient({
    appToken: o.appToken,
    clientOptions: { slackApiUrl: o.apiUrl },
    logger: slackLogger(o.log, 'slack-socket-mode'),
    logLevel: LogLevel.INFO,
  });
  client.on('slack_event', (e: { body?: unknown; ack: (response?: Record<string, unknown>) => Promise<void>; retry_num?: number }) => {
    if (!e.body || typeof e.body !== 'object') return;
    void o.receiver.handleSocketEnvelope({ body: e.body as Record<string, unknown>, ack: e.ack, ...(typeof e.retry_num === 'number' ? { retryNum: e.retry_num } : {}) })
      .catch((err: unknown) => o.log.error({ err: (err as Error).message }, 'Socket Mode envelope failed'));
  });
  return {
    start: async () => {
      await client.start();
    },
    stop: async () => {
      await client.disconnect();
    },
  };
}
