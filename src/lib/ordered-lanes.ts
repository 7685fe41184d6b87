/**
 * Work of one lane (a Slack conversation) runs one after another, in arrival
 * order: `/incident resolve` then `/incident close` typed quickly must apply
 * in that order, not race. Other lanes run in parallel.
 *
 * One exception keeps a busy channel from applying one note per round trip:
 * work marked `overlap` (a note) starts together with the overlapping work
 * before it, and only the step that fixes its place (queuing its command on
 * the incident, `inArrivalOrder`) waits until the work before it has fixed
 * its own. Its permission check and name lookups, the reads that took a
 * round trip each, run alongside those of the notes before it; the
 * incident's queue then applies them in arrival order, in one transaction
 * if they arrive together (app/apply-batch.ts). Work not marked `overlap`
 * still waits for everything before it to finish, and everything after it
 * waits for it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** What overlapping work of a lane needs to fix its place: when it may, and how to say it did. */
interface Place {
  /** Resolves once the overlapping work before this one fixed its place (or finished). */
  before: Promise<void>;
  fixed: () => void;
}

const placing = new AsyncLocalStorage<Place>();

/**
 * Calls `queue` (which must put the work where order is kept, synchronously,
 * and return a promise of its result) once the overlapping work before it in
 * its lane has done the same; the work after it may then queue. Outside a
 * lane, or in work that does not overlap, calls it at once.
 */
export async function inArrivalOrder<T>(queue: () => Promise<T>): Promise<T> {
  const place = placing.getStore();
  if (!place) return queue();
  await place.before;
  try {
    return queue();
  } finally {
    place.fixed();
  }
}

interface Turn {
  overlap: boolean;
  /** When this work may start: after all non-overlapping work before it finished. */
  start: Promise<void>;
  /** Resolves once this work and all before it in the lane have finished. */
  done: Promise<void>;
  /** Resolves once this work fixed its place, or is done. */
  placed: Promise<void>;
}

const started = Promise.resolve();

export class OrderedLanes {
  private readonly last = new Map<string, Turn>();

  /** Runs `fn` in `lane` after the work before it (see the module comment for `overlap`). */
  run<T>(lane: string, overlap: boolean, fn: () => Promise<T>): Promise<T> {
    const prev = this.last.get(lane);
    let fixed!: () => void;
    const placedSignal = new Promise<void>((resolve) => (fixed = resolve));
    const overlapping = overlap && prev?.overlap === true;
    const start = !prev ? started : overlapping ? prev.start : prev.done;
    const place: Place = { before: overlapping ? prev.placed : started, fixed };
    const result = start.then(() => (overlap ? placing.run(place, fn) : fn()));
    const finished = result.then(() => undefined, () => undefined);
    const done = prev ? Promise.all([finished, prev.done]).then(() => undefined) : finished;
    const turn: Turn = { overlap, start, done, placed: Promise.race([placedSignal, done]) };
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
