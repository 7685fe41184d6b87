/**
 * Shared helpers for the Slack stand-in tests: a WebClient aimed at the stand-in
 * and the platform error a failed call carries.
 */
import { LogLevel, WebClient } from '@slack/web-api';

/** The bot token the stand-in accepts by default. */
export const SANDBOX_TOKEN = 'xoxb-sandbox-token';

/** A quiet WebClient on the stand-in at `apiUrl`, with the sandbox bot token. */
export function sandboxClient(apiUrl: string): WebClient {
  return new WebClient(SANDBOX_TOKEN, { slackApiUrl: apiUrl, logLevel: LogLevel.ERROR });
}

/** The platform error code and `response_metadata.messages` a WebClient call failed with. */
export async function slackFailure(p: Promise<unknown>): Promise<{ error: string; messages: string[] }> {
  try {
    await p;
  } catch (e) {
    const data = (e as { data?: { error?: string; response_metadata?: { messages?: string[] } } }).data;
    if (data?.error) return { error: data.error, messages: data.response_metadata?.messages ?? [] };
    throw e;
  }
  throw new Error('expected the call to fail');
}

/** The platform error code a WebClient call failed with. */
export async function slackError(p: Promise<unknown>): Promise<string> {
  return (await slackFailure(p)).error;
}
