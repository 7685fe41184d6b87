/**
 * The Postgres implementation of the app's `Store`: each transaction hands
 * use cases a `UnitOfWork` bound to one client, so events, projection and
 * outbox rows commit together.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { DeliveryReads, NewOutboxRow, OutboxQueue, Store, StoreReads, UnitOfWork } from '../../app/ports.ts';
import * as batch from './batch-sql.ts';
import * as events from './events-sql.ts';
import * as incidents from './incidents-sql.ts';
import * as keys from './keys-sql.ts';
import * as outbox from './outbox-sql.ts';
import * as reminders from './reminders-sql.ts';
import * as reports from './reports-sql.ts';
import * as slack from './slack-sql.ts';
import { coalesce, type Coalesced } from '../../lib/coalesce.ts';
import { sharedReads } from './shared-reads.ts';

type Q = Pick<pg.ClientBase, 'query'>;

/** Deadlocks and serialization failures are retried; anything else is the caller's. */
const RETRYABLE = new Set(['40P01', '40001']);

export function unitOfWork(db: Q): UnitOfWork {
  return {
    keys: {
      claimCommandKey: (key, incidentId) => keys.claimCommandKey(db, key, incidentId),
      existingCommandKeys: (ks) => keys.existingCommandKeys(db, ks),
      claimCommandKeys: (claims) => keys.claimCommandKeys(db, claims),
      commandKeyIncident: (key) => keys.commandKeyIncident(db, key),
      setCommandKeyIncident: (key, id) => keys.setCommandKeyIncident(db, key, id),
      findIncidentIdByPagerDuty: (pd) => keys.findIncidentIdByPagerDuty(db, pd),
      findIncidentIdsByPagerDuty: (pds) => keys.findIncidentIdsByPagerDuty(db, pds),
      linkPagerDuty: (pd, id) => keys.linkPagerDuty(db, pd, id),
      unlinkPagerDuty: (pd, id, reason) => keys.unlinkPagerDuty(db, pd, id, reason),
      clearPagerDutyIgnored: (pd) => keys.clearPagerDutyIgnored(db, pd),
      markPagerDutyIgnored: (marks) => keys.markPagerDutyIgnored(db, marks),
      pagerDutyIgnoredReasons: (pds) => keys.pagerDutyIgnoredReasons(db, pds),
    },
    incidents: {
      lockIncident: (id) => incidents.lockIncident(db, id),
      readIncident: (id) => incidents.readIncident(db, id),
      findIncidentIdByChannel: (c) => incidents.findIncidentIdByChannel(db, c),
      findIncidentIdByNumber: (n) => incidents.findIncidentIdByNumber(db, n),
      nextIncidentNumber: () => incidents.nextIncidentNumber(db),
      saveIncident: (s, now) => incidents.saveIncident(db, s, now),
      saveIncidents: (ss, now) => incidents.saveIncidents(db, ss, now),
      listOpenIncidents: (limit) => incidents.listOpenIncidents(db, limit),
    },
    events: {
      appendEvents: (evs) => events.appendEvents(db, evs),
      loadEvents: (id) => events.loadEvents(db, id),
      loadEvent: (id) => events.loadEvent(db, id),
    },
    outbox: {
      enqueue: (rows: readonly NewOutboxRow[], now) => outbox.enqueueOutbox(db, rows, now),
      markOutboxDelivered: (id, workerId, result, now) => outbox.markDelivered(db, id, workerId, result, now),
    },
    reminders: {
      syncReminders: (id, planned, now) => reminders.syncReminders(db, id, planned, now),
      claimDueReminders: (now, limit) => reminders.claimDueReminders(db, now, limit),
      advanceReminder: (a) => reminders.advanceReminder(db, a),
      snoozeReminder: (id, kind, subject, until, now) => reminders.snoozeReminder(db, id, kind, subject, until, now),
      claimTick: (name, tick) => reminders.claimTick(db, name, tick),
      reminderBacklog: (now) => reminders.reminderBacklog(db, now),
    },
    channelLog: {
      recordChannelMessage: (m) => slack.recordChannelMessage(db, m),
      editChannelMessage: (ch, ts, text, at) => slack.editChannelMessage(db, ch, ts, text, at),
      deleteChannelMessage: (m) => slack.deleteChannelMessage(db, m),
      findChannelMessage: (ch, ts) => slack.findChannelMessage(db, ch, ts),
    },
    slots: {
      saveSlot: (id, slot, ch, ts) => slack.saveSlot(db, id, slot, ch, ts),
      findSlot: (id, slot) => slack.findSlot(db, id, slot),
    },
    reports: {
      saveReport: (id, md, sha) => reports.saveReport(db, id, md, sha),
    },
    batches: {
      lockBatch: (ids, ks) => batch.lockBatch(db, ids, ks),
      writeBatch: (w) => batch.writeBatch(db, w),
    },
  };
}

/** The deliverers' reads, each one statement on the pool. */
export function deliveryReads(pool: pg.Pool): DeliveryReads {
  return {
    readIncident: (id) => incidents.readIncident(pool, id),
    findSlot: (id, slot) => slack.findSlot(pool, id, slot),
    loadEvent: (id) => events.loadEvent(pool, id),
    loadReport: (id) => reports.loadReport(pool, id),
  };
}

/** Outbox bookkeeping on the pool (outside use-case transactions). */
export function outboxQueue(pool: pg.Pool): OutboxQueue {
  return {
    claim: (o) => outbox.claimOutbox(pool, o),
    delivered: (rows, workerId, now) => outbox.markManyDelivered(pool, rows, workerId, now),
    retry: (id, workerId, error, at) => outbox.markRetry(pool, id, workerId, error, at),
    defer: (id, workerId, at) => outbox.markDeferred(pool, id, workerId, at),
    dead: (id, workerId, error) => outbox.markDead(pool, id, workerId, error),
    deliveredBetween: (orderKey, fromId, beforeId) => outbox.countDeliveredBetween(pool, orderKey, fromId, beforeId),
  };
}

export class PostgresStore implements Store {
  /**
   * Tells every replica's outbox worker that rows were committed: at most one
   * announcement in flight and one more queued, however many transactions
   * commit meanwhile (one wake-up covers them all).
   */
  private readonly announce: Coalesced;
  /**
   * Signs this store's announcements: its own process's worker, already woken
   * by `onQueued`, skips them (`listenForOutbox`'s `ignoreFrom`), so a commit
   * wakes each other replica once and this one not twice.
   */
  readonly announcerId = randomUUID();
  /** Called in this process after each commit that queued outbox rows (`onQueued`). */
  private readonly queuedListeners: (() => void)[] = [];

  readonly reads: StoreReads;

  constructor(private readonly pool: pg.Pool) {
    this.announce = coalesce(() => outbox.announceOutbox(pool, this.announcerId));
    this.reads = {
      findIncident: (ref) => incidents.readIncidentBy(pool, ref),
      // Notes that arrive together on one incident check their authors against one read of it.
      findPermissionSubject: sharedReads((ref) => incidents.readPermissionSubject(pool, ref), (ref) => JSON.stringify(ref)),
    };
  }

  /** `listener` runs after every commit of this store that queued outbox rows: the local worker's wake-up, without the NOTIFY's round trip. */
  onQueued(listener: () => void): void {
    this.queuedListeners.push(listener);
  }

  async transaction<T>(fn: (uow: UnitOfWork) => Promise<T>, o?: { commit?: (result: T) => boolean }): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      try {
        await client.query('begin');
        const uow = unitOfWork(client);
        let queued = false;
        const enqueue = uow.outbox.enqueue;
        uow.outbox.enqueue = async (rows, now) => {
          const n = await enqueue(rows, now);
          if (n > 0) queued = true;
          return n;
        };
        const writeBatch = uow.batches.writeBatch;
        uow.batches.writeBatch = async (w) => {
          const written = await writeBatch(w);
          if (written.queuedRows > 0) queued = true;
          return written;
        };
        const result = await fn(uow);
        const commit = !o?.commit || o.commit(result);
        await client.query(commit ? 'commit' : 'rollback');
        if (commit && queued) {
          this.announce();
          for (const listener of this.queuedListeners) listener();
        }
        return result;
      } catch (e) {
        await client.query('rollback').catch(() => undefined);
        const code = (e as { code?: string }).code;
        if (code && RETRYABLE.has(code) && attempt < 4) continue;
        throw e;
      } finally {
        client.release();
      }
    }
  }
}
