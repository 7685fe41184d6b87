/**
 * What the archive can store. PostgreSQL text refuses NUL characters and a
 * btree entry (the unique dedupe key, the order-key index) tops out near
 * 2.7 kB, while a correctly signed body may carry either in its ids. Such a
 * request used to fail its archive write, be spooled as if the database were
 * down, and then fail every replay, blocking the spool behind it forever.
 */
import { createHash } from 'node:crypto';
import type { InboundRecord } from '../db/inbound-sql.ts';

/** Keys longer than this (in bytes) are stored as a digest: still one key per request. */
const MAX_KEY_BYTES = 512;

const noNul = (s: string): string => (s.includes('\u0000') ? s.replace(/\u0000/g, '\uFFFD') : s);

function key(k: string): string {
  const clean = noNul(k);
  if (Buffer.byteLength(clean) <= MAX_KEY_BYTES) return clean;
  const prefix = /^[a-z]+:/.exec(clean)?.[0] ?? '';
  return `${prefix}sha256:${createHash('sha256').update(k).digest('hex')}`;
}

/** The record as the archive can hold it; unchanged for every well-formed request. */
export function storable(rec: InboundRecord): InboundRecord {
  return {
    ...rec,
    dedupeKey: key(rec.dedupeKey),
    ...(rec.orderKey !== undefined ? { orderKey: key(rec.orderKey) } : {}),
    headers: Object.fromEntries(Object.entries(rec.headers).map(([k, v]) => [noNul(k), noNul(v)])),
    body: noNul(rec.body),
  };
}

/**
 * True when PostgreSQL answered and refused the data itself (SQLSTATE class
 * 22 data exception, 54 program limit): retrying that record can never work,
 * unlike a connection error or a timeout.
 */
export function isUnstorable(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(22|54)[0-9A-Z]{3}$/.test(code);
}
