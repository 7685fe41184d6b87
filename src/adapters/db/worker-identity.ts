/**
 * Who holds a lease. Outbox rows and inbound requests are leased by a worker
 * id `<host>:<pid>:<data dir tag>:<random>`. The data dir tag is made once
 * per data directory and kept in `<dataDir>/worker-tag`, so a process
 * restarted on the same data directory (after `kill -9`, an OOM kill, a
 * container restart with a new host name and pid 1 again) recognises the
 * leases its previous incarnation left behind and frees them at once,
 * instead of waiting out each lease.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { embeddedPaths } from './embedded.ts';
import { readFileIfExists, writeFileAtomic } from './files.ts';

const TAG_FILE = 'worker-tag';

/** The data directory's tag (12 hex digits), created on first use. */
export async function dataDirTag(dataDir: string): Promise<string> {
  const { root } = embeddedPaths(dataDir);
  const file = join(root, TAG_FILE);
  const existing = (await readFileIfExists(file))?.trim();
  if (existing && /^[0-9a-f]{12}$/.test(existing)) return existing;
  await mkdir(root, { recursive: true, mode: 0o700 });
  const tag = randomBytes(6).toString('hex');
  await writeFileAtomic(file, `${tag}\n`);
  return tag;
}

export interface WorkerId {
  host: string;
  pid: number;
  tag: string;
}

export function newWorkerId(tag: string): string {
  return `${hostname()}:${process.pid}:${tag}:${randomBytes(4).toString('hex')}`;
}

/** The parts of a worker id; `tag` is empty for ids written before tags existed (`host:pid:random`). */
export function parseWorkerId(id: string): WorkerId | undefined {
  const parts = id.split(':');
  const [host, pid] = parts;
  if (!host || !pid || !/^\d+$/.test(pid)) return undefined;
  return { host, pid: Number(pid), tag: parts.length >= 4 ? (parts[2] ?? '') : '' };
}
