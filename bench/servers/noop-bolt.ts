/**
 * Baseline for the ack bench: a stock Bolt `App` on its own `HTTPReceiver`
 * with a `/incident` listener that only acks. Same signature check and Bolt
 * dispatch as Kranz, no storage and no work after the ack.
 * Env: PORT, SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN, SLACK_API_URL.
 */
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';

const env = (k: string): string => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is required`);
  return v;
};

const receiver = new HTTPReceiver({
  signingSecret: env('SLACK_SIGNING_SECRET'),
  endpoints: '/slack/events',
  logLevel: LogLevel.ERROR,
  customRoutes: [{ path: '/healthz', method: ['GET'], handler: (_req, res) => { res.writeHead(200); res.end('ok'); } }],
});
const app = new App({ token: env('SLACK_BOT_TOKEN'), receiver, logLevel: LogLevel.ERROR, clientOptions: { slackApiUrl: env('SLACK_API_URL') } });
app.command('/incident', async ({ ack }) => {
  await ack();
});
await app.start(Number(env('PORT')));
process.on('SIGTERM', () => {
  app.stop().then(() => process.exit(0), () => process.exit(1));
});
