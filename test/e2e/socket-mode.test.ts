/**
 * Socket Mode keeps the promise HTTP keeps: a request is stored before it is
 * acknowledged. Kranz runs with SLACK_APP_TOKEN against a Socket Mode
 * stand-in over a real WebSocket (`apps.connections.open` answered by a
 * proxy in front of the Slack stand-in, which serves every other Web API
 * call). While a test transaction holds the inbound archive locked, the
 * envelope of a slash command is not acknowledged; once the lock goes, the
 * ack arrives, the request is in the archive, and the command has applied.
 * An event envelope is stored under Slack's event id, once, however often it
 * is delivered.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { startHarness, USERS, type Harness } from '../helpers/kranz-harness.ts';
import { startSlackApiProxy, type SlackApiProxy } from '../helpers/slack-api-proxy.ts';
import { outboxDrained } from '../helpers/kranz-harness.ts';
import { readAll } from '../helpers/net.ts';

interface Frame { envelope_id?: string; payload?: Record<string, unknown> }

/** The Slack end of Socket Mode: says hello, sends envelopes, collects the client's acks. */
class SocketStandIn {
  readonly acks: (Frame & { at: number })[] = [];
  socket: WebSocket | undefined;
  constructor(readonly server: WebSocketServer) {
    server.on('connection', (ws) => {
      this.socket = ws;
      ws.on('message', (data) => this.acks.push({ ...(JSON.parse(String(data)) as Frame), at: Date.now() }));
      ws.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'stand-in' }, connection_info: { app_id: 'A0KRANZ' } }));
    });
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  send(envelope: Record<string, unknown>): void {
    if (!this.socket) throw new Error('Kranz has not connected over Socket Mode');
    this.socket.send(JSON.stringify(envelope));
  }

  ackOf(id: string): (Frame & { at: number }) | undefined {
    return this.acks.find((a) => a.envelope_id === id);
  }
}

let proxy: SlackApiProxy;
let socket: SocketStandIn;
let h: Harness;
let responses: Server;
const responded: unknown[] = [];

beforeAll(async () => {
  socket = new SocketStandIn(new WebSocketServer({ host: '127.0.0.1', port: 0 }));
  await new Promise<void>((r) => socket.server.once('listening', () => r()));
  proxy = await startSlackApiProxy();
  proxy.answers.set('apps.connections.open', { ok: true, url: socket.url });
  responses = createServer((req, res) => {
    void readAll(req).then((b) => {
      responded.push(JSON.parse(b.toString('utf8')) as unknown);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => responses.listen(0, '127.0.0.1', () => r()));
  h = await startHarness({
    env: { SLACK_APP_TOKEN: 'xapp-1-A0KRANZ-1-socketmodetesttoken' },
    apiUrl: (standIn) => {
      proxy.target = standIn;
      return proxy.apiUrl;
    },
  });
  const deadline = Date.now() + 10_000;
  while (!socket.socket && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
});

afterAll(async () => {
  await h?.close();
  await proxy?.close();
  socket?.server.close();
  await new Promise((r) => responses?.close(r));
});

const until = async (check: () => unknown, what: string, ms = 10_000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('Socket Mode', () => {
  it('connects with the app token over the WebSocket and serves no HTTP route for Slack', async () => {
    expect(proxy.intercepted).toContain('apps.connections.open');
    expect(socket.socket).toBeDefined();
    const r = await fetch(`${h.kranz.url}/slack/events`, { method: 'POST', body: 'x' });
    expect(r.status).toBe(404);
  });

  it('stores a slash command before it acknowledges it, then applies it', async () => {
    const port = (responses.address() as AddressInfo).port;
    const payload = {
      team_id: 'T0KRANZ', team_domain: 'kranz', channel_id: 'CGENERAL', channel_name: 'general', user_id: USERS.dana.id, user_name: USERS.dana.name,
      command: '/incident', text: 'declare SEV2 Socket mode checkout outage', api_app_id: 'A0KRANZ', is_enterprise_install: 'false',
      response_url: `http://127.0.0.1:${port}/respond`, trigger_id: '1000.2000.socketmode', token: 'legacy-verification-token',
    };
    const locker = await h.pool.connect();
    try {
      await locker.query('begin');
      // Blocks every insert into the archive (well under the 1.5 s after which Kranz would spool to disk instead).
      await locker.query('lock table inbound_archive in share row exclusive mode');
      socket.send({ envelope_id: 'env-cmd-1', type: 'slash_commands', accepts_response_payload: true, payload });
      await new Promise((r) => setTimeout(r, 700));
      expect(socket.ackOf('env-cmd-1'), 'acknowledged while the request could not be stored').toBeUndefined();
      await locker.query('commit');
    } finally {
      locker.release();
    }
    await until(() => socket.ackOf('env-cmd-1'), 'the ack');
    const stored = await h.pool.query<{ status: string; body: string }>("select status, body from inbound_archive where dedupe_key = 'slack:cmd:T0KRANZ:1000.2000.socketmode'");
    expect(stored.rows).toHaveLength(1);
    // Stored as the HTTP path stores it: without Slack's legacy verification token.
    expect(stored.rows[0]!.body).not.toContain('legacy-verification-token');
    // The answer rides on the ack when the command applied within the ack's short wait, else on response_url: once either way.
    const answers = () => [socket.ackOf('env-cmd-1')?.payload, ...responded].filter((a) => JSON.stringify(a ?? {}).includes('Declared INC-'));
    await until(() => answers().length > 0, 'the answer to the command');
    expect(answers()).toHaveLength(1);
    await outboxDrained(h);
    const incidents = await h.pool.query<{ title: string }>('select title from incidents');
    expect(incidents.rows.map((r) => r.title)).toContain('Socket mode checkout outage');
    expect((await h.pool.query<{ status: string }>("select status from inbound_archive where dedupe_key = 'slack:cmd:T0KRANZ:1000.2000.socketmode'")).rows[0]?.status).toBe('processed');
  });

  it('stores an event once under its event id, however often Slack delivers it', async () => {
    const event = {
      type: 'event_callback', team_id: 'T0KRANZ', api_app_id: 'A0KRANZ', event_id: 'EvSOCKET1', event_time: Math.floor(Date.now() / 1000),
      event: { type: 'member_joined_channel', user: USERS.sam.id, channel: 'CGENERAL', channel_type: 'C', team: 'T0KRANZ', event_ts: `${Date.now() / 1000}` },
    };
    socket.send({ envelope_id: 'env-ev-1', type: 'events_api', accepts_response_payload: false, retry_attempt: 0, retry_reason: '', payload: event });
    socket.send({ envelope_id: 'env-ev-2', type: 'events_api', accepts_response_payload: false, retry_attempt: 1, retry_reason: 'timeout', payload: event });
    await until(() => socket.ackOf('env-ev-1') && socket.ackOf('env-ev-2'), 'both acks');
    const rows = await h.pool.query("select 1 from inbound_archive where dedupe_key = 'slack:event:EvSOCKET1'");
    expect(rows.rowCount).toBe(1);
  });
});
