/**
 * Email addresses as customers are configured and mailed: compared without
 * letter case (`Ops@Acme.com` and `ops@acme.com` are one mailbox to every
 * mail system a customer uses, though the local part may in theory differ),
 * kept in the spelling first seen.
 */

/** One mailbox, whatever the letter case. */
export function sameAddress(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** `into` with each of `more` appended that names no mailbox already there, in order. */
export function withAddresses<T>(into: readonly T[], more: Iterable<T>, addressOf: (item: T) => string): T[] {
  const out = [...into];
  for (const item of more) if (!out.some((x) => sameAddress(addressOf(x), addressOf(item)))) out.push(item);
  return out;
}
