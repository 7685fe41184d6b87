/**
 * Recovery from a killed Kranz: the embedded PostgreSQL is a child process, so
 * a `kill -9` of Kranz leaves it running as an orphan, and a `kill -9` of the
 * server itself leaves a stale `postmaster.pid`. PostgreSQL refuses to start
 * in both cases ("lock file already exists"), and it also refuses when the
 * recorded PID is a zombie nobody reaps (common in containers) or has been
 * reused by an unrelated process. This module sorts those cases out before
 * the server is started.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile, readlink, realpath, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { KranzError } from './errors.ts';
import { readFileIfExists } from './files.ts';
import type { DbLogger } from './logger.ts';

const execFileAsync = promisify(execFile);

interface ProcessInfo {
  /** Exists and is not a zombie. */
  alive: boolean;
  ppid?: number;
  /** Current directory (Linux only); the postmaster and its backends chdir into the data dir. */
  cwd?: string;
  /** Executable name or command line, used to tell node and postgres apart. */
  command?: string;
}

async function inspect(pid: number): Promise<ProcessInfo> {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return { alive: false };
  }
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name: state, ppid, ...
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (state === 'Z' || state === 'X') return { alive: false };
    const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => undefined);
    const command = await readFile(`/proc/${pid}/cmdline`, 'utf8').then((s) => s.split('\0').join(' ')).catch(() => undefined);
    return { alive: true, ppid: Number(ppid), ...(cwd ? { cwd } : {}), ...(command ? { command } : {}) };
  } catch {
    // No /proc (macOS): ask ps instead.
  }
  try {
    const { stdout } = await execFileAsync('ps', ['-o', 'stat=,ppid=,command=', '-p', String(pid)]);
    const m = /^\s*(\S+)\s+(\d+)\s+(.*)$/.exec(stdout.trim());
    if (!m) return { alive: false };
    return { alive: !m[1]!.startsWith('Z'), ppid: Number(m[2]), command: m[3]! };
  } catch {
    return { alive: true };
  }
}

/** Live processes whose current directory is `dir` (Linux only; empty elsewhere). */
async function processesIn(dir: string): Promise<number[]> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return [];
  }
  const found: number[] = [];
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const cwd = await readlink(`/proc/${e}/cwd`).catch(() => undefined);
    if (cwd === dir && (await inspect(Number(e))).alive) found.push(Number(e));
  }
  return found;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitUntil(pred: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await pred()) return true;
    await sleep(100);
  }
  return pred();
}

/**
 * Makes `pgDir` startable after an unclean exit, or refuses:
 * - no `postmaster.pid`: nothing to do;
 * - the recorded postmaster runs on this data dir and its parent is a live
 *   node process (another Kranz): refuse with `KRANZ_EMBEDDED_IN_USE`;
 * - it runs but was orphaned (Kranz was killed): ask it for a fast shutdown
 *   (SIGINT), escalate to an immediate shutdown (SIGQUIT), and wait;
 * - it is dead, a zombie, or the PID now belongs to something else: once no
 *   old backend is left in the data dir, delete the stale lock file.
 */
export async function recoverStalePostmaster(pgDir: string, log: DbLogger): Promise<void> {
  const pidFile = join(pgDir, 'postmaster.pid');
  const content = await readFileIfExists(pidFile);
  if (content === undefined) return;
  const dir = await realpath(pgDir);
  const pid = Number.parseInt(content.split('\n')[0] ?? '', 10);
  const info = Number.isInteger(pid) && pid > 0 ? await inspect(pid) : { alive: false };
  const ours = info.alive && (info.cwd !== undefined ? info.cwd === dir : (info.command ?? '').includes(dir));

  if (ours) {
    const parent = info.ppid !== undefined && info.ppid > 1 ? await inspect(info.ppid) : { alive: false };
    const parentIsNode = /(^|\/)(node|tsx|kranz)[^/\s]*(\s|$)/.test(parent.command ?? '');
    if (info.ppid === process.pid || (parent.alive && parentIsNode)) {
      throw new KranzError(
        'KRANZ_EMBEDDED_IN_USE',
        `The embedded PostgreSQL in ${pgDir} is already running (postmaster PID ${pid}, started by PID ${info.ppid}). ` +
          'Another Kranz process is using this data dir; stop it, or give this one its own data dir.',
        { details: { pgDir, postmasterPid: pid, ownerPid: info.ppid } },
      );
    }
    log.warn({ pgDir, postmasterPid: pid }, 'embedded postgres left running by a previous Kranz; shutting it down');
    process.kill(pid, 'SIGINT');
    const gone = async () => !(await inspect(pid)).alive || (await readFileIfExists(pidFile)) === undefined;
    if (!(await waitUntil(gone, 20_000))) {
      log.warn({ postmasterPid: pid }, 'fast shutdown did not finish; requesting immediate shutdown');
      process.kill(pid, 'SIGQUIT');
      if (!(await waitUntil(gone, 10_000))) {
        throw new KranzError('KRANZ_EMBEDDED_IN_USE', `Could not stop the orphaned PostgreSQL (PID ${pid}) in ${pgDir}.`, {
          details: { pgDir, postmasterPid: pid },
        });
      }
    }
  }

  // Backends of a killed postmaster exit on their own within moments; starting
  // a new server while one still writes would corrupt the data dir.
  const leftovers = async () => (await processesIn(dir)).length === 0;
  if (!(await waitUntil(leftovers, 10_000))) {
    const pids = await processesIn(dir);
    throw new KranzError(
      'KRANZ_EMBEDDED_STALE_PROCESSES',
      `Old PostgreSQL processes (${pids.join(', ')}) still run in ${pgDir}; stop them before starting Kranz.`,
      { details: { pgDir, pids } },
    );
  }
  if ((await readFileIfExists(pidFile)) !== undefined) {
    log.warn({ pgDir, stalePid: pid, file: basename(pidFile) }, 'removing stale postmaster.pid left by an unclean exit');
    await rm(pidFile, { force: true });
  }
}
