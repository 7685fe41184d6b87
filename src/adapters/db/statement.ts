/**
 * A statement as text and values, so several can be sent as one. A batch of
 * commands writes to four tables (keys, events, projections, outbox); each
 * write was a round trip of its own, and a round trip costs about 0.1 ms of
 * CPU on this machine's network stack and a wait on the server, whatever it
 * holds. As data-modifying CTEs of one statement they cost one.
 */
import type { Queryable } from './queryable.ts';

export interface Statement {
  text: string;
  values: unknown[];
}

/**
 * One statement that runs every write and answers how many rows each one
 * returned (`counts[i]` for `writes[i]`). Each write must be one `insert`,
 * `update` or `delete` with a `returning` clause, and must touch no row
 * another write of the set touches: the writes run on one snapshot and do
 * not see each other's rows, so two writes to one row could conflict. Written
 * for this module's own statements: parameters are renumbered by their `$n`
 * markers, so a write must hold no `$` of any other kind.
 */
export function allOf(writes: readonly Statement[]): Statement {
  if (writes.length === 0) throw new Error('allOf needs at least one write');
  const values: unknown[] = [];
  const ctes = writes.map((w, i) => {
    if (/\$(?!\d)/.test(w.text)) throw new Error(`write ${i} holds a $ that is not a parameter marker`);
    if (!/\breturning\b/i.test(w.text)) throw new Error(`write ${i} has no returning clause to count`);
    const offset = values.length;
    values.push(...w.values);
    return `w${i} as (${w.text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`)})`;
  });
  const counts = writes.map((_, i) => `(select count(*) from w${i})::int as n${i}`).join(', ');
  return { text: `with ${ctes.join(',\n')}\nselect ${counts}`, values };
}

/** Runs `allOf(writes)`; the row count each write returned, in order. */
export async function runAll(db: Queryable, writes: readonly Statement[]): Promise<number[]> {
  if (writes.length === 0) return [];
  const s = allOf(writes);
  const r = await db.query<Record<string, number>>(s.text, s.values);
  const row = r.rows[0] ?? {};
  return writes.map((_, i) => Number(row[`n${i}`] ?? 0));
}
