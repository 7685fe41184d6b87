import { describe, expect, it } from 'vitest';
import { coalesce } from '../../src/lib/coalesce.ts';

/** A job whose runs the test finishes by hand. */
function gatedJob() {
  const runs: { finish: () => void; fail: (e: Error) => void }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const run = () => new Promise<void>((resolve, reject) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    runs.push({
      finish: () => { inFlight--; resolve(); },
      fail: (e) => { inFlight--; reject(e); },
    });
  });
  return { run, runs, maxInFlight: () => maxInFlight };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('coalesce', () => {
  it('runs at once when woken while idle', async () => {
    const job = gatedJob();
    const wake = coalesce(job.run);
    wake();
    expect(job.runs).toHaveLength(1);
    job.runs[0]!.finish();
    await wake.idle();
    expect(job.runs).toHaveLength(1);
  });

  it('folds every wake-up during a run into exactly one more run', async () => {
    const job = gatedJob();
    const wake = coalesce(job.run);
    wake();
    wake();
    wake();
    wake();
    expect(job.runs).toHaveLength(1);
    job.runs[0]!.finish();
    await tick();
    expect(job.runs).toHaveLength(2);
    job.runs[1]!.finish();
    await wake.idle();
    expect(job.runs).toHaveLength(2);
    expect(job.maxInFlight()).toBe(1);
  });

  it('does not lose a wake-up that comes during the extra run', async () => {
    const job = gatedJob();
    const wake = coalesce(job.run);
    wake();
    wake();
    job.runs[0]!.finish();
    await tick();
    wake();
    job.runs[1]!.finish();
    await tick();
    expect(job.runs).toHaveLength(3);
    job.runs[2]!.finish();
    await wake.idle();
    expect(job.maxInFlight()).toBe(1);
  });

  it('reports a failing run, ends the series, and runs again on the next wake-up', async () => {
    const job = gatedJob();
    const errors: unknown[] = [];
    const wake = coalesce(job.run, (e) => errors.push(e));
    wake();
    wake();
    job.runs[0]!.fail(new Error('database down'));
    await wake.idle();
    expect(errors).toEqual([new Error('database down')]);
    expect(job.runs).toHaveLength(1);
    wake();
    expect(job.runs).toHaveLength(2);
    job.runs[1]!.finish();
    await wake.idle();
    expect(errors).toHaveLength(1);
  });

  it('idle() waits for the extra run too', async () => {
    const job = gatedJob();
    const wake = coalesce(job.run);
    wake();
    wake();
    let idle = false;
    const waiting = wake.idle().then(() => { idle = true; });
    job.runs[0]!.finish();
    await tick();
    expect(idle).toBe(false);
    job.runs[1]!.finish();
    await waiting;
    expect(idle).toBe(true);
  });
});
