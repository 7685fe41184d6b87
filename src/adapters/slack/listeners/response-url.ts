/**
 * Posting an answer to a Slack response_url, with a deadline.
 *
 * Bolt's respond() waits as long as the response_url takes, and the listener
 * waits with it: the conversation's next request (lib/ordered-lanes.ts) and the
 * stored request's completion wait behind a hung one. Kranz posts itself so it
 * can give up, abort the request and answer another way (answers.ts).
 *
 * Through `node:http(s)` with keep-alive agents, not `fetch`: under a burst of
 * commands every answer that missed its ack is one of these posts, and
 * `fetch`'s streams, abort signals and per-request objects cost several times
 * the CPU of a plain request (profiled at saturation: a third of the event
 * loop), which made the next answers later still.
 */
import http from 'node:http';
import https from 'node:https';

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

/** Connections to Slack's hooks host are reused across answers, as fetch's pool did. */
const agents = { 'http:': new http.Agent({ keepAlive: true, maxSockets: 64 }), 'https:': new https.Agent({ keepAlive: true, maxSockets: 64 }) };

/** Posts `message` to `url`; throws when Slack refuses it (any status but 2xx, redirects included) or has not answered within the deadline (the request is then aborted). */
export function postToResponseUrl(url: string, message: ResponseUrlMessage, deadlineMs = RESPONSE_URL_DEADLINE_MS): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      reject(new Error('response_url is not a URL'));
      return;
    }
    const protocol = target.protocol;
    if (protocol !== 'http:' && protocol !== 'https:') {
      reject(new Error(`response_url has an unsupported scheme (${protocol})`));
      return;
    }
    const body = Buffer.from(JSON.stringify(message), 'utf8');
    const send = protocol === 'https:' ? https.request : http.request;
    const req = send(target, {
      method: 'POST', agent: agents[protocol],
      headers: { 'content-type': 'application/json', 'content-length': body.length },
    }, (res) => {
      // Read to the end (under the same deadline), so the connection is free again.
      res.resume();
      res.on('end', () => {
        clearTimeout(timer);
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve();
        else reject(new Error(`response_url answered HTTP ${status}`));
      });
      res.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
    const timer = setTimeout(() => req.destroy(new Error(`response_url did not answer within ${deadlineMs} ms`)), deadlineMs);
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.end(body);
  });
}
