/**
 * "Did you mean …?" for misspelt keys and names. A typo in a config key must
 * not silently do nothing, and the error is only helpful if it names the fix.
 */

/** Edit distance between two strings (insert, delete, substitute, transpose). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number): number => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      // Swapped neighbours ("cadnece") are one slip of the fingers, not two.
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}

/** Folds the spellings people reach for (camelCase, dashes, case) onto snake_case. */
function fold(s: string): string {
  return s
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[-\s]+/g, '_')
    .toLowerCase();
}

/**
 * The candidate closest to `input`, or undefined when nothing is close enough
 * to be a plausible typo (so unrelated keys get no misleading hint).
 */
export function closest(input: string, candidates: readonly string[]): string | undefined {
  const folded = fold(input);
  let best: string | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  let tied = false;
  for (const c of new Set(candidates)) {
    const score = fold(c) === folded ? 0 : editDistance(folded, fold(c));
    if (score < bestScore) {
      best = c;
      bestScore = score;
      tied = false;
    } else if (score === bestScore) {
      tied = true;
    }
  }
  // "SEV9" is as close to SEV1 as to SEV2: naming one would be a guess.
  const allowed = Math.max(1, Math.floor(Math.max(folded.length, 3) / 3));
  return best !== undefined && !tied && bestScore <= allowed ? best : undefined;
}

/** ` (did you mean "x"?)` or the empty string. */
export function didYouMean(input: string, candidates: readonly string[]): string {
  const hit = closest(input, candidates);
  return hit === undefined ? '' : ` (did you mean "${hit}"?)`;
}
