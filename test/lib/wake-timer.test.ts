import { describe, expect, it } from 'vitest';
import { WakeTimer } from '../../src/lib/wake-timer.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('WakeTimer', () => {
  it('keeps the earliest wake-up asked for', async () => {
    const woken: number[] = [];
    const start = Date.now();
    const t = new WakeTimer(() => woken.push(Date.now() - start));
    t.in(200);
    t.in(30);
    t.in(500);
    await sleep(120);
    expect(woken.length).toBe(1);
    expect(woken[0]).toBeGreaterThanOrEqual(29);
    await sleep(200);
    expect(woken.length).toBe(1);
    t.stop();
  });

  it('does not wake before its clock reaches the time asked for, even when the timer fires early', async () => {
    // The clock falls 40 ms behind the timers once the wake-up is set: its firing is "early" on it.
    let lag = 0;
    const base = Date.now();
    const clock = () => base + (Date.now() - base) - lag;
    const wokenAt: number[] = [];
    const t = new WakeTimer(() => wokenAt.push(clock()), clock);
    const at = clock() + 50;
    t.in(50);
    lag = 40;
    await sleep(70);
    expect(wokenAt).toEqual([]);
    await sleep(60);
    expect(wokenAt.length).toBe(1);
    expect(wokenAt[0]).toBeGreaterThanOrEqual(at);
    t.stop();
  });

  it('stop cancels a pending wake-up and any asked for after it', async () => {
    let woken = 0;
    const t = new WakeTimer(() => woken++);
    t.in(20);
    t.stop();
    t.in(10);
    await sleep(50);
    expect(woken).toBe(0);
  });
});
