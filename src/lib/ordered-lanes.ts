/**
 * Work of one lane (a Slack conversation) runs one after another, in arrival
 * order: `/incident resolve` then `/incident close` typed quickly must apply
 * in that order, not race. Other lanes run in parallel.
 *
 * One exception keeps a busy channel from applying one note per round trip:
 * work marked `overlap` (a note) may start as soon as the overlapping work
 * before it has fixed its place, that is, queued its command on the
 * incident (`orderFixed()`, called by the use case), rather than when that
 * work has finished. The incident's queue then applies both in arrival order,
 * in one transaction if they arrive together (app/apply-batch.ts). Work not
 * marked `overlap` still waits for everything before it to finish, and
 * everything after it waits for it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** The current work's "my place is fixed" signal, when it runs as overlapping work of a lane. */
const placing = new AsyncLocalStorage<() => void>();

/**
 * Says that the running work's place is fixed (its command is queued where
 * order is kept): the overlapping work behind it in its lane may start.
 * Does nothing outside a lane.
 */
export function orderFixed(): void {
  placing.getStore()?.();
}

interface Turn {
  overlap: boolean;
  /** Resolves once this work and all before it in the lane have finished. */
  done: Promise<void>;
  /** Resolves once this work fixed its place, or is done. */
  placed: Promise<void>;
}

export class OrderedLanes {
  private readonly last = new Map<string, Turn>();

  /** Runs `fn` in `lane` after the work before it (see the module comment for `overlap`). */
  run<T>(lane: string, overlap: boolean, fn: () => Promise<T>): Promise<T> {
    const prev = this.last.get(lane);
    let fixed!: () => void;
    const placedSignal = new Promise<void>((resolve) => (fixed = resolve));
    const startAfter = !prev ? Promise.resolve() : overlap && prev.overlap ? prev.placed : prev.done;
    const result = startAfter.then(() => (overlap ? placing.run(fixed, fn) : fn()));
    const finished = result.then(() => undefined, () => undefined);
    const done = prev ? Promise.all([finished, prev.done]).then(() => undefined) : finished;
    const turn: Turn = { overlap, done, placed: Promise.race([placedSignal, done]) };
    this.last.set(lane, turn);
    void done.then(() => {
      if (this.last.get(lane) === turn) this.last.delete(lane);
    });
    return result;
  }

  /** Lanes with work in flight (tests). */
  get size(): number {
    return this.last.size;
  }
}
