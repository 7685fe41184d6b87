/**
 * LISTEN for new outbox rows on a connection of its own (a pooled one would
 * be held for ever, and a LISTEN on a connection other work shares is lost
 * when the pool drops it). Rows committed by any replica, or requeued with
 * `kranz outbox retry`, wake the worker at once. The connection is remade
 * after a loss; the worker is woken then too, since notifications sent while
 * it was down are gone.
 */
import pg from 'pg';
import { OUTBOX_CHANNEL } from './outbox-sql.ts';

interface Log {
  warn(o: object, m?: string): void;
}

export interface OutboxListener {
  stop(): Promise<void>;
}

/** `ignoreFrom`: announcements signed with it (this process's own store's) wake nothing: its worker was woken already. */
export function listenForOutbox(pool: pg.Pool, o: { onNotify: () => void; log: Log; retryMs?: number; ignoreFrom?: string }): OutboxListener {
  let stopped = false;
  let client: pg.Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  let failures = 0;

  const reconnectLater = (): void => {
    if (stopped || timer) return;
    // 1 s, doubling to 30 s while the database stays away.
    const wait = Math.min(30_000, (o.retryMs ?? 1_000) * 2 ** Math.min(5, failures++));
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, wait);
    timer.unref();
  };

  const connect = async (): Promise<void> => {
    const c = new pg.Client({ ...pool.options, application_name: 'kranz-outbox-listen' });
    client = c;
    let lost = false;
    const onLost = (err?: Error): void => {
      if (lost) return;
      lost = true;
      c.removeAllListeners('notification');
      void c.end().catch(() => undefined);
      if (stopped) return;
      if (failures === 0) o.log.warn({ err: err?.message ?? 'connection ended' }, 'outbox LISTEN connection lost; reconnecting (the idle poll covers the gap)');
      reconnectLater();
    };
    c.on('error', onLost);
    c.on('end', () => onLost());
    c.on('notification', (n) => {
      if (o.ignoreFrom !== undefined && n.payload === o.ignoreFrom) return;
      o.onNotify();
    });
    try {
      await c.connect();
      await c.query(`listen ${OUTBOX_CHANNEL}`);
    } catch (e) {
      onLost(e as Error);
      return;
    }
    if (stopped) {
      await c.end().catch(() => undefined);
      return;
    }
    failures = 0;
    // Rows committed while nobody listened.
    o.onNotify();
  };

  void connect();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await client?.end().catch(() => undefined);
    },
  };
}
