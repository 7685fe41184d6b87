/**
 * Memory of a server process under load: its resident set size (VmRSS from
 * /proc/<pid>/status), sampled while a phase runs. Linux only; elsewhere the
 * figures stay empty rather than wrong.
 */
import { readFileSync } from 'node:fs';

export function rssMb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

export interface RssSampler {
  /** Peak and last sample in MB since the sampler started (undefined when unreadable). */
  stop(): { peakMb?: number; lastMb?: number; samples: { atS: number; mb: number }[] };
}

/** Samples `pid`'s RSS every `everyMs` until stopped. */
export function sampleRss(pid: number | undefined, everyMs = 250): RssSampler {
  const t0 = Date.now();
  const samples: { atS: number; mb: number }[] = [];
  const take = (): void => {
    const mb = rssMb(pid);
    if (mb !== undefined) samples.push({ atS: Math.round((Date.now() - t0) / 100) / 10, mb });
  };
  take();
  const timer = setInterval(take, everyMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      take();
      const mbs = samples.map((s) => s.mb);
      return { ...(mbs.length ? { peakMb: Math.max(...mbs), lastMb: mbs.at(-1)! } : {}), samples };
    },
  };
}
