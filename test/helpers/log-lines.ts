/** A pino destination that keeps every JSON log line, for tests that check what Kranz logged. */
import { Writable } from 'node:stream';

export function logLines<T>(): { lines: T[]; sink: Writable } {
  const lines: T[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n')) if (l.trim()) lines.push(JSON.parse(l) as T);
      done();
    },
  });
  return { lines, sink };
}
