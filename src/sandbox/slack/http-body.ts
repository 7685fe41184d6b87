/**
 * Request body decoding for the stand-in: form, JSON and multipart, the three
 * encodings Slack clients send.
 */
import type { IncomingMessage } from 'node:http';
import type { Args } from './validation.ts';

/** Most bytes a request may carry (Slack caps uploads at 1 GB; tests need far less). */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** Reads a whole request body. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

/** One part of a multipart body. */
export interface Part {
  name: string;
  filename: string | undefined;
  data: Buffer;
}

/** Splits a `multipart/form-data` body into its parts. */
export function parseMultipart(contentType: string, body: Buffer): Part[] {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary) return [];
  const delim = Buffer.from(`--${boundary}`);
  const parts: Part[] = [];
  let pos = body.indexOf(delim);
  while (pos >= 0) {
    const start = pos + delim.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delim, start);
    if (next < 0) break;
    // Each part: CRLF, headers, blank line, data, CRLF before the next delimiter.
    const part = body.subarray(start + 2, next - 2);
    const split = part.indexOf('\r\n\r\n');
    if (split >= 0) {
      const head = part.subarray(0, split).toString('utf8');
      const disp = /content-disposition:[^\r\n]*?name="([^"]*)"(?:;\s*filename="([^"]*)")?/i.exec(head);
      if (disp?.[1] !== undefined) parts.push({ name: disp[1], filename: disp[2], data: part.subarray(split + 4) });
    }
    pos = next;
  }
  return parts;
}

/** Decoded Web API arguments, or the error Slack gives for an unreadable body. */
export type ParsedArgs = { ok: true; args: Args } | { ok: false; error: 'invalid_json' | 'json_not_object' };

/**
 * Arguments from the query string and the body. JSON bodies keep their types;
 * form and multipart values are strings, as Slack receives them.
 */
export function parseArgs(contentType: string, body: Buffer, query: URLSearchParams): ParsedArgs {
  const args: Args = Object.fromEntries(query.entries());
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (body.length === 0) return { ok: true, args };
  if (type === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return { ok: false, error: 'invalid_json' };
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ok: false, error: 'json_not_object' };
    return { ok: true, args: { ...args, ...(parsed as Args) } };
  }
  if (type === 'multipart/form-data') {
    for (const p of parseMultipart(contentType, body)) args[p.name] = p.filename === undefined ? p.data.toString('utf8') : p.data;
    return { ok: true, args };
  }
  for (const [k, v] of new URLSearchParams(body.toString('utf8'))) args[k] = v;
  return { ok: true, args };
}
