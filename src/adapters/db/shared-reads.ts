/**
 * Reads asked for together share one statement. A busy incident's notes are
 * stored in one intake batch and woken in one turn of the event loop; each
 * then checks its author's permission by reading the incident. Gathered
 * until the loop has run every one of them that far (`setImmediate`), they
 * read once per incident instead of once per note: a statement costs a
 * round trip and about 0.1 ms of CPU on this machine's network stack.
 *
 * A shared read is issued after every request that shares it asked, so none
 * of them sees a state older than itself (joining a read already in flight
 * could: it may have started before a change the request came after).
 */
import DataLoader from 'dataloader';

export function sharedReads<K, V>(read: (key: K) => Promise<V>, keyOf: (key: K) => string): (key: K) => Promise<V> {
  const loader = new DataLoader<K, V>(
    async (keys) => {
      const once = new Map<string, Promise<V>>();
      return Promise.all(keys.map((k) => {
        const id = keyOf(k);
        let p = once.get(id);
        if (!p) once.set(id, (p = read(k)));
        // DataLoader fails one key by an Error in its place, the others still resolve.
        return p.catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
      }));
    },
    // No cache: every request reads afresh; only requests waiting at the same moment share.
    { cache: false, batchScheduleFn: (run) => setImmediate(run) },
  );
  return (key) => loader.load(key);
}
