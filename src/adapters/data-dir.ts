/**
 * Checks KRANZ_DATA_DIR before anything is created in it. Node's recursive
 * mkdir never settles on some special filesystems (/proc spins at 100 % CPU),
 * and a file or a missing parent otherwise surfaces as a raw ENOTDIR/ENOENT
 * from deep inside the embedded database. Every probe has a timeout, so a
 * hung network mount is a message, not a hang.
 */
import { constants } from 'node:fs';
import { access, stat, statfs } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Linux filesystem magic numbers (statfs f_type) of kernel pseudo-filesystems,
 * which hold no data: a data directory there is always a mistake.
 */
const SPECIAL_FILESYSTEMS: ReadonlyMap<number, string> = new Map([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x1cd1, 'devpts'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0xcafe4a11, 'bpf'],
  [0x6165676c, 'pstore'],
  [0x62656570, 'configfs'],
  [0x42494e4d, 'binfmt_misc'],
]);

export interface DataDirCheckOptions {
  /** How the directory is named in messages. Default `KRANZ_DATA_DIR`. */
  name?: string;
  /** Per filesystem probe. Default 5 s. */
  timeoutMs?: number;
}

class Timeout extends Error {}

function timed<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout()), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

const code = (e: unknown): string | undefined => (e as { code?: string }).code;

/**
 * Undefined when `dir` (absolute) can be used as the data directory: it is a
 * writable directory, or it does not exist yet and its parent is one. Else one
 * line naming the variable, the cause and the fix.
 */
export async function checkDataDir(dir: string, o: DataDirCheckOptions = {}): Promise<string | undefined> {
  const name = o.name ?? 'KRANZ_DATA_DIR';
  const ms = o.timeoutMs ?? 5_000;
  const say = (cause: string): string => `${name}=${dir}: ${cause}`;
  try {
    let target = dir;
    const st = await timed(stat(dir), ms).catch((e: unknown) => {
      if (code(e) === 'ENOENT' || code(e) === 'ENOTDIR') return undefined;
      throw e;
    });
    if (st && !st.isDirectory()) return say('is a file, not a directory; choose a directory (it is created if only the last part is missing)');
    if (!st) {
      target = dirname(dir);
      const parent = await timed(stat(target), ms).catch((e: unknown) => {
        if (code(e) === 'ENOENT' || code(e) === 'ENOTDIR') return undefined;
        throw e;
      });
      if (!parent) return say(`its parent directory ${target} does not exist; create it first (mkdir -p ${target}) or choose another directory`);
      if (!parent.isDirectory()) return say(`its parent ${target} is a file, not a directory; choose another directory`);
    }
    if (process.platform === 'linux') {
      const fs = await timed(statfs(target), ms);
      const special = SPECIAL_FILESYSTEMS.get(Number(fs.type));
      if (special) return say(`${target === dir ? 'is' : `its parent ${target} is`} on the ${special} filesystem, which the kernel provides and which cannot hold data; choose a directory on a disk`);
    }
    try {
      await timed(access(target, constants.W_OK | constants.X_OK), ms);
    } catch (e) {
      if (e instanceof Timeout) throw e;
      const who = process.getuid ? ` (uid ${process.getuid()})` : '';
      if (code(e) === 'EROFS') return say(`${target === dir ? 'is' : `its parent ${target} is`} on a read-only filesystem; choose a writable directory`);
      return say(`${target === dir ? 'is not writable' : `cannot be created: its parent ${target} is not writable`} by this user${who}; fix the permissions or choose another directory`);
    }
    return undefined;
  } catch (e) {
    if (e instanceof Timeout) return say(`the filesystem did not answer within ${ms / 1000} s (a hung network mount?); choose a directory on a local disk`);
    return say(`cannot be checked: ${e instanceof Error ? e.message : String(e)}`);
  }
}
