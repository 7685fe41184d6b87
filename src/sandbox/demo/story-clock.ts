/**
 * The demo's accelerated clock. The story sets it to a minute ("T+7") and it
 * stands there while the step's actions are taken, so everything a step
 * causes carries the step's minute to the millisecond, however loaded the
 * machine is, and the report reads the same on every run.
 *
 * A clock that only ever stands still would strand work Kranz schedules
 * against it: a retry's backoff, or a post waiting for the channel to be
 * created, is due a moment *later*. So the story can let it run at real speed
 * while it waits for such work (see `StoryDriver.settle`) and hold it again
 * once the work is done; it never goes backwards.
 */
import type { Clock } from '../../app/ports.ts';

const MINUTE = 60_000;

/** A clock that jumps between story minutes, standing still or running at real speed in between. */
export class StoryClock implements Clock {
  private simBase: number;
  private realBase: number;
  private running = false;
  /** Every change of pace (real time it happened, sim time then, running after it), oldest first, for `fromReal`. */
  private readonly history: { real: number; sim: number; running: boolean }[] = [];

  /**
   * @param startMs - the story's T+0 (epoch ms); the clock stands there until moved.
   * @param realNow - the real clock (epoch ms); injectable for tests.
   */
  constructor(
    readonly startMs: number,
    private readonly realNow: () => number = Date.now,
  ) {
    this.simBase = startMs;
    this.realBase = realNow();
    this.mark();
  }

  /** Simulated epoch ms. */
  nowMs(): number {
    return this.running ? this.simBase + (this.realNow() - this.realBase) : this.simBase;
  }

  now(): Date {
    return new Date(this.nowMs());
  }

  /** Simulated minutes since T+0 (fractional). */
  minutes(): number {
    return (this.nowMs() - this.startMs) / MINUTE;
  }

  /**
   * Moves to `minutes` after T+0 and stands there. Never backwards: when the
   * clock already ran past that minute it stays where it is.
   */
  at(minutes: number): Date {
    this.simBase = Math.max(this.startMs + minutes * MINUTE, this.nowMs());
    this.running = false;
    this.mark();
    return this.now();
  }

  /** Lets the clock run at real speed from where it stands. */
  run(): void {
    if (this.running) return;
    this.realBase = this.realNow();
    this.running = true;
    this.mark();
  }

  /** Stops the clock where it is. */
  hold(): void {
    if (!this.running) return;
    this.simBase = this.nowMs();
    this.running = false;
    this.mark();
  }

  /** What the clock read at a real instant (epoch ms), e.g. when a stand-in recorded a request. */
  fromReal(realMs: number): number {
    let at = this.history[0];
    for (const h of this.history) {
      if (h.real > realMs) break;
      at = h;
    }
    if (!at) return this.simBase;
    return at.running ? at.sim + (realMs - at.real) : at.sim;
  }

  private mark(): void {
    const real = this.realNow();
    this.history.push({ real, sim: this.nowMs(), running: this.running });
  }
}
