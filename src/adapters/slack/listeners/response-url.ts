/**
 * Posting an answer to a Slack response_url, with a deadline.
 *
 * Bolt's respond() waits as long as the response_url takes, and the listener
 * waits with it: the conversation's next request (lib/ordered-lanes.ts) and the
 * stored request's completion wait behind a hung one. Kranz posts itself so it
 * can give up, abort the request and answer another way (answers.ts).
 */

/**
 * How long a response_url gets to take an answer. Slack takes one in well under a
 * second; a few seconds covers a slow moment without holding the person's channel
 * for long when it hangs.
 */
export const RESPONSE_URL_DEADLINE_MS = 3_000;

/** What Kranz posts to a response_url: always one ephemeral text. */
export interface ResponseUrlMessage {
  response_type: 'ephemeral';
  replace_original?: boolean;
  text: string;
}

/** Posts `message` to `url`; throws when Slack refuses it or has not answered within the deadline (the request is then aborted). */
export async function postToResponseUrl(url: string, message: ResponseUrlMessage, deadlineMs = RESPONSE_URL_DEADLINE_MS): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(message),
    redirect: 'error',
    signal: AbortSignal.timeout(deadlineMs),
  });
  // Read to the end (under the same deadline), so the connection is free again.
  await res.text();
  if (!res.ok) throw new Error(`response_url answered HTTP ${res.status}`);
}
