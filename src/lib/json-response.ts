/**
 * A small JSON answer with its length stated. `writeHead` without a length
 * sends the body chunked: a second write for the closing chunk and more
 * bytes for every client to parse, on the path each acknowledgement takes.
 */
import type { ServerResponse } from 'node:http';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
