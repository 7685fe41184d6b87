import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postToResponseUrl } from '../../src/adapters/slack/listeners/response-url.ts';

/** A response_url host whose answer each test chooses by path. */
let server: Server;
let base = '';
const received: { path: string; contentType: string; body: unknown }[] = [];
let closedHung = 0;

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', contentType: String(req.headers['content-type']), body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      if (req.url === '/ok') res.writeHead(200).end('ok');
      else if (req.url === '/refused') res.writeHead(404).end('expired_url');
      else if (req.url === '/moved') res.writeHead(302, { location: '/ok' }).end();
      // '/hang': never answered; the socket closing is what the deadline must cause.
      else res.on('close', () => closedHung++);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const message = { response_type: 'ephemeral' as const, text: 'Noted: *deploy rolled back* — “quotes” & <tags>' };

describe('postToResponseUrl', () => {
  it('posts the message as JSON and resolves on a 2xx', async () => {
    await postToResponseUrl(`${base}/ok`, message);
    expect(received.at(-1)).toEqual({ path: '/ok', contentType: 'application/json', body: message });
  });

  it('reuses one connection for answers one after another', async () => {
    const sockets = new Set<unknown>();
    const seen = (_req: IncomingMessage, res: ServerResponse): void => void sockets.add(res.socket);
    server.on('request', seen);
    for (let i = 0; i < 5; i++) await postToResponseUrl(`${base}/ok`, message);
    server.off('request', seen);
    expect(sockets.size).toBe(1);
  });

  it('rejects a refusal and a redirect with the status Slack answered', async () => {
    await expect(postToResponseUrl(`${base}/refused`, message)).rejects.toThrow('response_url answered HTTP 404');
    await expect(postToResponseUrl(`${base}/moved`, message)).rejects.toThrow('response_url answered HTTP 302');
  });

  it('gives up on a hung response_url at the deadline and closes the request', async () => {
    const t = performance.now();
    await expect(postToResponseUrl(`${base}/hang`, message, 200)).rejects.toThrow('within 200 ms');
    expect(performance.now() - t).toBeLessThan(2_000);
    await expect.poll(() => closedHung).toBe(1);
  });

  it('rejects what is not an http(s) URL without sending anything', async () => {
    const before = received.length;
    await expect(postToResponseUrl('not a url', message)).rejects.toThrow('not a URL');
    await expect(postToResponseUrl('file:///etc/passwd', message)).rejects.toThrow('unsupported scheme (file:)');
    expect(received.length).toBe(before);
  });
});
