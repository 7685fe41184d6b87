import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startScheduler, tickExpression } from '../../src/scheduler/scheduler.ts';

// node-cron keeps time with Date and setTimeout, so vitest's fake timers drive it: no sleeping.
beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-03-02T13:00:00.500Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

function recordingLog() {
  const warnings: string[] = [];
  const errors: string[] = [];
  return {
    warnings, errors,
    info: () => undefined,
    warn: (_o: object, m?: string) => void warnings.push(m ?? ''),
    error: (_o: object, m?: string) => void errors.push(m ?? ''),
  };
}

describe('startScheduler', () => {
  it('ticks every N seconds with the clock time and skips a tick while the previous one runs', async () => {
    const clockTimes: Date[] = [];
    const clock = { now: () => new Date(Date.UTC(2030, 0, 1) + clockTimes.length * 1000) };
    let release: () => void = () => undefined;
    let slow = false;
    const log = recordingLog();
    const s = startScheduler({
      tickSeconds: 2, clock, log,
      tick: async (now) => {
        clockTimes.push(now);
        if (slow) await new Promise<void>((r) => { release = r; });
      },
    });
    await vi.advanceTimersByTimeAsync(4_000); // fires at :02 and :04
    expect(clockTimes).toHaveLength(2);
    expect(clockTimes[0]?.toISOString()).toBe('2030-01-01T00:00:00.000Z'); // the injected clock, not the timer's

    slow = true;
    await vi.advanceTimersByTimeAsync(2_000); // :06 starts and hangs
    await vi.advanceTimersByTimeAsync(6_000); // :08, :10, :12 are skipped
    expect(clockTimes).toHaveLength(3);
    expect(s.stats()).toMatchObject({ skipped: 3 });
    expect(log.warnings.filter((w) => w.includes('still running'))).toHaveLength(3);

    slow = false;
    release();
    await vi.advanceTimersByTimeAsync(2_000); // :14 runs again
    expect(clockTimes).toHaveLength(4);
    expect(s.stats()).toEqual({ ran: 4, skipped: 3, failed: 0 });

    await s.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(clockTimes).toHaveLength(4);
  });

  it('keeps ticking after a failed tick, and stop waits for the running one', async () => {
    const log = recordingLog();
    let n = 0;
    let finished = false;
    const s = startScheduler({
      tickSeconds: 1, clock: { now: () => new Date() }, log,
      tick: async () => {
        n++;
        if (n === 1) throw new Error('database restarting');
        await new Promise((r) => setTimeout(r, 300));
        finished = true;
      },
    });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(log.errors).toEqual(['scheduler tick failed']);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(n).toBe(2);
    const stopped = s.stop();
    await vi.advanceTimersByTimeAsync(300);
    await stopped;
    expect(finished).toBe(true);
    expect(s.stats()).toEqual({ ran: 2, skipped: 0, failed: 1 });
  });

  it('accepts only periods that divide a minute', () => {
    expect(tickExpression(1)).toBe('*/1 * * * * *');
    expect(tickExpression(15)).toBe('*/15 * * * * *');
    expect(tickExpression(60)).toBe('0 * * * * *');
    expect(() => tickExpression(7)).toThrow(RangeError);
    expect(() => tickExpression(0)).toThrow(RangeError);
  });
});
