/**
 * Where the machine's CPU went while a phase ran: the server process's own
 * time, PostgreSQL's (the postmaster, its backends, and backends that ended
 * meanwhile), and how idle the whole machine was. Read from /proc (Linux
 * only; elsewhere the figures stay empty rather than wrong). A bench that
 * is bound by the machine, not by its server, shows it here: what a
 * delivery costs in all, and who pays.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Clock ticks per second of /proc's times (`getconf CLK_TCK`; 100 on Linux). */
const TICKS_PER_S = 100;

interface Times { self: number; children: number; ppid: number }

/** utime+stime and cutime+cstime of a process, in ms, and its parent. */
function timesOf(pid: number): Times | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may hold spaces: state is field 3.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const tick = (i: number): number => (Number(f[i - 3]) * 1000) / TICKS_PER_S;
    return { self: tick(14) + tick(15), children: tick(16) + tick(17), ppid: Number(f[1]) };
  } catch {
    return undefined;
  }
}

/** PostgreSQL's CPU so far, in ms: the postmaster, its live children, and the children it has reaped. */
function postgresMs(dataDir: string): number | undefined {
  let postmaster: number;
  try {
    postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return undefined;
  }
  const main = timesOf(postmaster);
  if (!main) return undefined;
  let total = main.self + main.children;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const t = timesOf(Number(name));
    if (t && t.ppid === postmaster) total += t.self;
  }
  return total;
}

/** The machine's idle and total jiffies from the first line of /proc/stat. */
function machine(): { idle: number; total: number } | undefined {
  try {
    const cols = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is already in user)
    const used = cols.slice(0, 8);
    return { idle: (used[3] ?? 0) + (used[4] ?? 0), total: used.reduce((a, b) => a + b, 0) };
  } catch {
    return undefined;
  }
}

export interface CpuUse {
  /** CPU ms of the server process over the phase. */
  serverMs?: number;
  /** CPU ms of PostgreSQL over the phase. */
  postgresMs?: number;
  /** Share of the whole machine (every core) that was idle, percent. */
  machineIdlePct?: number;
}

export interface CpuMeter {
  stop(): CpuUse;
}

/** Starts counting; `stop()` gives what was used since. */
export function meterCpu(o: { serverPid?: number | undefined; postgresDataDir?: string | undefined }): CpuMeter {
  const server0 = o.serverPid !== undefined ? timesOf(o.serverPid)?.self : undefined;
  const pg0 = o.postgresDataDir !== undefined ? postgresMs(o.postgresDataDir) : undefined;
  const m0 = machine();
  return {
    stop() {
      const server1 = o.serverPid !== undefined ? timesOf(o.serverPid)?.self : undefined;
      const pg1 = o.postgresDataDir !== undefined ? postgresMs(o.postgresDataDir) : undefined;
      const m1 = machine();
      const out: CpuUse = {};
      if (server0 !== undefined && server1 !== undefined) out.serverMs = Math.round(server1 - server0);
      if (pg0 !== undefined && pg1 !== undefined) out.postgresMs = Math.round(pg1 - pg0);
      if (m0 && m1 && m1.total > m0.total) out.machineIdlePct = Math.round((1000 * (m1.idle - m0.idle)) / (m1.total - m0.total)) / 10;
      return out;
    },
  };
}

/** "0.21 + 0.18 ms" per item: the server's and PostgreSQL's CPU divided by what the phase handled. */
export function perItem(u: CpuUse, items: number): { serverMsPer?: number; postgresMsPer?: number } {
  const per = (ms: number | undefined): number | undefined => (ms === undefined || items <= 0 ? undefined : Math.round((1000 * ms) / items) / 1000);
  const s = per(u.serverMs);
  const p = per(u.postgresMs);
  return { ...(s !== undefined ? { serverMsPer: s } : {}), ...(p !== undefined ? { postgresMsPer: p } : {}) };
}
