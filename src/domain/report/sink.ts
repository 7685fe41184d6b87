/**
 * Where the report's text accumulates. A 100k-event report is ~20M
 * characters: holding every line's pieces until one final join would keep
 * them all alive next to the result. The sink joins pieces every few
 * thousand and appends the chunk to the text so far (V8 keeps that as a rope
 * of flat chunks), so garbage dies young and the result is never copied whole.
 */

const FLUSH_AT = 8_192;

/** An append-only text buffer for building the report. */
export class TextSink {
  /** Pieces of the current chunk; callers push to it directly and call `endLine` after each line. */
  readonly pieces: string[] = [];
  private done = '';

  /** Marks a line boundary: a good moment to join the pending pieces. */
  endLine(): void {
    if (this.pieces.length >= FLUSH_AT) this.flush();
  }

  /** Appends whole lines, each followed by `\n`. */
  lines(lines: readonly string[]): void {
    for (const l of lines) this.pieces.push(l, '\n');
    this.endLine();
  }

  /** Everything written so far. */
  text(): string {
    this.flush();
    return this.done;
  }

  private flush(): void {
    if (this.pieces.length === 0) return;
    this.done += this.pieces.join('');
    this.pieces.length = 0;
  }
}
