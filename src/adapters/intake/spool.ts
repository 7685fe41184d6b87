/**
 * The local spool: when Postgres is unreachable, inbound requests are
 * appended here (one JSON line each, fsynced before the ack) and replayed in
 * order once the database is back. The file survives restarts; a replay that
 * dies halfway is harmless because the archive dedupes on each request's key.
 */
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { InboundRecord } from '../db/inbound-sql.ts';

export class Spool {
  readonly file: string;
  private chain: Promise<unknown> = Promise.resolve();
  /** Records in the live file. */
  private live = 0;
  /** Records in the file being replayed that are not in the archive yet. */
  private replaying = 0;
  /** Records handed to an append that has not finished yet. */
  private pending = 0;

  constructor(readonly dir: string) {
    this.file = join(dir, 'spool', 'inbound.jsonl');
  }

  /** Appends and fsyncs; resolves only when the record is on disk. Appends are serialised. */
  append(rec: InboundRecord): Promise<void> {
    return this.appendMany([rec]);
  }

  /**
   * Appends records in order with one write and one fsync (a batch the
   * archive could not take costs one disk flush, not one per request);
   * resolves only when all are on disk. Counted in {@link knownDepth} from
   * the call on, so a request arriving meanwhile queues behind them.
   */
  appendMany(recs: readonly InboundRecord[]): Promise<void> {
    if (recs.length === 0) return Promise.resolve();
    this.pending += recs.length;
    const run = this.chain.then(async () => {
      await mkdir(join(this.dir, 'spool'), { recursive: true, mode: 0o700 });
      const fh = await open(this.file, 'a', 0o600);
      try {
        await fh.write(recs.map((r) => `${JSON.stringify(r)}\n`).join(''));
        await fh.sync();
      } finally {
        await fh.close();
      }
      this.live += recs.length;
    });
    this.chain = run.catch(() => undefined);
    return run.finally(() => { this.pending -= recs.length; });
  }

  /**
   * Keeps a record the archive refuses (see storable.ts) in
   * `spool/rejected.jsonl`, fsynced, with the reason: out of the replay
   * path, but on disk for an operator rather than dropped.
   */
  reject(rec: InboundRecord, reason: string): Promise<void> {
    const run = this.chain.then(async () => {
      await mkdir(join(this.dir, 'spool'), { recursive: true, mode: 0o700 });
      const fh = await open(join(this.dir, 'spool', 'rejected.jsonl'), 'a', 0o600);
      try {
        await fh.write(`${JSON.stringify({ ...rec, rejectedBecause: reason })}\n`);
        await fh.sync();
      } finally {
        await fh.close();
      }
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  /**
   * Deletes records from `spool/rejected.jsonl` received before `before`
   * (retention); returns how many. Runs in the append chain, so no write to
   * the file races the rewrite.
   */
  pruneRejected(before: Date): Promise<number> {
    const file = join(this.dir, 'spool', 'rejected.jsonl');
    const run = this.chain.then(async () => {
      const recs = await this.read(file);
      const keep = recs.filter((r) => !(Date.parse(r.receivedAt) < before.getTime()));
      if (keep.length === recs.length) return 0;
      if (keep.length === 0) await rm(file, { force: true });
      else {
        const tmp = `${file}.pruning`;
        const fh = await open(tmp, 'w', 0o600);
        try {
          await fh.write(keep.map((r) => `${JSON.stringify(r)}\n`).join(''));
          await fh.sync();
        } finally {
          await fh.close();
        }
        await rename(tmp, file);
      }
      return recs.length - keep.length;
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  /**
   * Records waiting in the spool, a replay that died halfway included (reads
   * the files; cheap at spool sizes). Call once at start so {@link knownDepth}
   * is right before the first append.
   */
  async depth(): Promise<number> {
    this.live = (await this.read(this.file)).length;
    this.replaying = (await this.read(this.replayingFile)).length;
    return this.knownDepth;
  }

  /**
   * Records spooled and not yet in the archive, without I/O (metrics, and the
   * intake's "keep order behind the backlog" check).
   */
  get knownDepth(): number {
    return this.live + this.replaying + this.pending;
  }

  private get replayingFile(): string {
    return `${this.file}.replaying`;
  }

  /**
   * Hands every spooled record to `apply` in order. The file is first moved
   * aside, so requests spooled meanwhile go to a fresh file; if `apply`
   * fails, the rest stays in the moved file and is retried next time.
   */
  async drain(apply: (rec: InboundRecord) => Promise<void>): Promise<number> {
    const replaying = this.replayingFile;
    // The move runs in the append chain, so no append can be writing to the file being moved.
    const move = this.chain.then(async () => {
      const exists = await stat(replaying).then(() => true, () => false);
      if (exists) return true;
      const hasFile = await stat(this.file).then((s) => s.size > 0, () => false);
      if (!hasFile) return false;
      await rename(this.file, replaying);
      this.live = 0;
      return true;
    });
    this.chain = move.catch(() => undefined);
    if (!(await move)) return 0;
    const recs = await this.read(replaying);
    this.replaying = recs.length;
    let done = 0;
    for (const rec of recs) {
      await apply(rec);
      done++;
      this.replaying = recs.length - done;
    }
    await rm(replaying, { force: true });
    this.replaying = 0;
    return done;
  }

  private async read(file: string): Promise<InboundRecord[]> {
    const text = await readFile(file, 'utf8').catch(() => '');
    const out: InboundRecord[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        out.push(JSON.parse(line) as InboundRecord);
      } catch {
        // A torn last line from a crash mid-append was never acknowledged: skip it.
      }
    }
    return out;
  }
}
