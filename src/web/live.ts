/**
 * Live timelines over Server-Sent Events: each open connection polls the
 * event log for its incident once a second (an indexed range read from its
 * last position) and sends new entries as HTML fragments the page appends.
 * Works across replicas without any broker: the log is the source. A note
 * whose Slack message was deleted is sent without its text; when the deletion
 * comes after its line was sent, a `withhold` message has the page replace
 * that line's text (what was already sent cannot be called back).
 *
 * A stream never outlives the session it was opened with (it ends with
 * `closed: expired`), and ends quietly after `maxStreamMs` so the browser
 * reconnects with the cookie it holds now: sessions are signed cookies with
 * nothing to revoke on the server, and this is how signing out in another
 * tab (or leaving the channel) reaches a page left open.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:net';
import { eventsSince, type BrowseDeps } from '../app/browse-incidents.ts';
import { visibilityOf, type Viewer } from '../app/incident-visibility.ts';
import type { IncidentState } from '../domain/incident.ts';
import { withheldNoteText } from '../domain/withheld-notes.ts';
import { SECURITY_HEADERS } from './http.ts';
import { incidentHeader, timelineItems } from './pages/incident.ts';
import { WITHHELD } from './pages/words.ts';

export interface LiveOptions {
  pollMs?: number;
  heartbeatMs?: number;
  /** Longest a stream runs before the browser must reconnect (and show its cookie again). */
  maxStreamMs?: number;
  /** Incident time, for the header's clocks. */
  nowMs: () => number;
}

/** Ten minutes: a signed-out tab stops getting updates within this. */
const MAX_STREAM_MS = 10 * 60_000;

/** One SSE message; every line of `data` gets its own `data:` prefix, as the format requires. */
function message(event: string, data: string, id?: number): string {
  const lines = data.split(/\r\n|\r|\n/).map((l) => `data: ${l}`).join('\n');
  return `${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\n${lines}\n\n`;
}

export interface StreamOptions {
  deps: BrowseDeps;
  viewer: Viewer;
  state: IncidentState;
  afterSeq: number;
  live: LiveOptions;
  /** When the viewer's session expires (epoch ms, real time); the stream ends then. */
  sessionExp: number;
  /** Real time, the clock `sessionExp` is on. */
  now: () => number;
}

export function streamIncident(req: IncomingMessage, res: ServerResponse, o: StreamOptions): void {
  const { deps, viewer } = o;
  const pollMs = o.live.pollMs ?? 1_000;
  const heartbeatMs = o.live.heartbeatMs ?? 15_000;
  const endAt = Math.min(o.sessionExp, o.now() + (o.live.maxStreamMs ?? MAX_STREAM_MS));
  // A reconnecting browser says where it stopped; that wins over the page's position.
  const resumed = Number(req.headers['last-event-id']);
  const isResumed = Number.isSafeInteger(resumed) && resumed > 0;
  let last = isResumed ? resumed : o.afterSeq;
  let status = o.state.status;
  // After a reconnect the header may have changed in between: send it on the first poll.
  let version = isResumed ? -1 : o.state.eventCount;
  let lastWrite = Date.now();
  let stopped = false;
  res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  res.write('retry: 2000\n\n');
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    clearTimeout(timer);
    res.end();
  };
  req.on('close', stop);
  const write = (chunk: string): void => {
    lastWrite = Date.now();
    res.write(chunk);
  };
  const tick = async (): Promise<void> => {
    // The server stops listening at shutdown: end the stream so shutdown does not wait for it.
    if ((req.socket as { server?: Server }).server?.listening === false) return stop();
    if (o.now() >= o.sessionExp) {
      write(message('closed', 'expired'));
      return stop();
    }
    // Quietly: the browser reconnects on its own, with whatever cookie it holds now.
    if (o.now() >= endAt) return stop();
    const state = await deps.reads.byNumber(o.state.number);
    const seen = state ? await visibilityOf(viewer, state, deps) : 'hidden';
    // Slack not saying who is in the channel right now: send nothing, ask again on the next poll.
    if (seen === 'unchecked') return;
    if (!state || seen === 'hidden') {
      write(message('closed', 'gone'));
      return stop();
    }
    const events = await eventsSince(deps, state.id, last);
    if (events.length) {
      last = events[events.length - 1]?.seq ?? last;
      write(message('timeline', String(timelineItems(events, withheldNoteText(state.notes, events.map((e) => e.event)))), last));
      // Lines of these messages sent earlier (or on the page) are in the browser: have it put the withheld words in their place,
      // on the lines before each message's last deletion here (a note of it flagged again after that keeps its text, as in the report).
      const deleted = new Map<string, number>();
      for (const { seq, event: e } of events) if (e.type === 'message_deleted') deleted.set(e.data.messageTs, seq);
      if (deleted.size) write(message('withhold', JSON.stringify({ ts: [...deleted.keys()], before: [...deleted.values()], text: WITHHELD })));
    }
    if (state.eventCount !== version || state.status !== status) {
      version = state.eventCount;
      status = state.status;
      write(message('header', String(incidentHeader(state, { nowMs: o.live.nowMs() }))));
    }
    if (state.status === 'closed') {
      write(message('closed', 'closed'));
      return stop();
    }
    if (Date.now() - lastWrite >= heartbeatMs) write(': keep-alive\n\n');
  };
  let timer: NodeJS.Timeout;
  const loop = (): void => {
    // Wake at the end too, not up to a poll after it.
    timer = setTimeout(() => {
      tick().then(
        () => { if (!stopped) loop(); },
        // A failed poll (database busy) is retried on the next one; the browser keeps its page.
        () => { if (!stopped) loop(); },
      );
    }, Math.max(0, Math.min(pollMs, endAt - o.now())));
  };
  loop();
}
