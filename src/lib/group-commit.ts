/**
 * Group commit: requests that arrive close together share one durable write.
 * A durable write costs one fsync whatever it holds, so one per request caps
 * intake at the disk's flush rate; one per batch does not (PostgreSQL's own
 * group commit and Kafka's batched appends work the same way).
 *
 * Batches are written one at a time, in arrival order: a batch forms while
 * the one before it is being written (so under load batches grow by
 * themselves), or for at most `windowMs` after its first request when the
 * writer is idle, and never past `maxBatch`. One writer at a time also keeps
 * the order requests arrived in: a later request can never be stored before
 * an earlier one.
 */

export interface GroupCommitOptions<T, R> {
  /** How long the first request of a batch waits for others when nothing is being written (0: not at all). */
  windowMs: number;
  maxBatch: number;
  /**
   * Writes a batch durably and returns one result per item, in order. A
   * throw fails every item of the batch (none of it was stored).
   */
  write(items: T[]): Promise<R[]>;
}

interface Waiting<T, R> {
  item: T;
  resolve(r: R): void;
  reject(e: unknown): void;
}

export class GroupCommit<T, R> {
  private queue: Waiting<T, R>[] = [];
  private writing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: GroupCommitOptions<T, R>) {}

  /** Resolves with the item's own result once the batch holding it is written. */
  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves once nothing is queued or being written. */
  async idle(): Promise<void> {
    while (this.writing || this.queue.length > 0 || this.timer) {
      if (this.writing) await this.writing;
      else await new Promise((r) => setTimeout(r, Math.max(1, this.o.windowMs)));
    }
  }

  private schedule(): void {
    if (this.writing) return; // the write in flight flushes the queue when it ends
    // A window of 0: nothing waits for company; batches form only behind a write in flight.
    if (this.queue.length >= this.o.maxBatch || this.o.windowMs <= 0) {
      this.flush();
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), this.o.windowMs);
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.writing || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.o.maxBatch);
    this.writing = this.writeBatch(batch).finally(() => {
      this.writing = undefined;
      // Whatever queued meanwhile waited long enough already: written at once, as the next batch.
      if (this.queue.length > 0) this.flush();
    });
  }

  private async writeBatch(batch: Waiting<T, R>[]): Promise<void> {
    let results: R[];
    try {
      results = await this.o.write(batch.map((w) => w.item));
    } catch (e) {
      for (const w of batch) w.reject(e);
      return;
    }
    batch.forEach((w, i) => w.resolve(results[i]!));
  }
}
