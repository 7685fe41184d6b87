/**
 * Work of one lane (a Slack conversation) runs one after another, in arrival
 * order: `/incident resolve` then `/incident close` typed quickly must apply
 * in that order, not race. Other lanes run in parallel.
 *
 * One exception keeps a busy channel from applying one note per round trip:
 * work marked `overlap` (a note) starts together with the overlapping work
 * before it, and only the step that fixes its place (queuing its command on
 * the incident, through the `ArrivalOrder` the work is given) waits until
 * the work before it has fixed its own. Its permission check and name
 * lookups, the reads that took a round trip each, run alongside those of the
 * notes before it; the incident's queue then applies them in arrival order,
 * in one transaction if they arrive together (app/apply-batch.ts). Work not
 * marked `overlap` still waits for everything before it to finish, and
 * everything after it waits for it.
 *
 * The order is handed to the work rather than kept in async context: an
 * AsyncLocalStorage would put a hook on every promise the process makes.
 */

/**
 * Calls `queue` (which must put the work where order is kept, synchronously,
 * and return a promise of its result) once the overlapping work before it in
 * its lane has done the same; the work after it may then queue. Work runs
 * with its lane's; `queueNow` is the one for work outside any lane.
 */
export type ArrivalOrder = <T>(queue: () => Promise<T>) => Promise<T>;

/** Work outside a lane, or that does not overlap, queues at once. */
export const queueNow: ArrivalOrder = (queue) => queue();

/** The `ArrivalOrder` of overlapping work: after `before` (the work ahead fixed its place), and says `fixed` once queued. */
function arrivalOrder(before: Promise<void>, fixed: () => void): ArrivalOrder {
  return async (queue) => {
    await before;
    try {
      return queue();
    } finally {
      fixed();
    }
  };
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
  run<T>(lane: string, overlap: boolean, fn: (inArrivalOrder: ArrivalOrder) => Promise<T>): Promise<T> {
    const prev = this.last.get(lane);
    let fixed!: () => void;
    const placedSignal = new Promise<void>((resolve) => (fixed = resolve));
    const overlapping = overlap && prev?.overlap === true;
    const start = !prev ? started : overlapping ? prev.start : prev.done;
    const order = overlap ? arrivalOrder(overlapping ? prev.placed : started, fixed) : queueNow;
    const result = start.then(() => fn(order));
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
