/**
 * Batched applying per incident (app/apply-batch.ts) on real PostgreSQL:
 * commands for one incident that arrive together share one transaction, keep
 * their arrival order, and each still gets its own answer. Faults are real:
 * a trigger that refuses one note's event (a poison command), and one that
 * kills its own connection when the transaction commits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCommand } from '../../src/app/apply-command.ts';
import { applyAcrossIncidents, applyInBatch, oneCommand, type BatchItem, type IncidentBatch } from '../../src/app/apply-batch.ts';
import { declareIncident } from '../../src/app/declare-incident.ts';
import type { AppDeps, Store } from '../../src/app/ports.ts';
import { asSlackChannelId, asSlackUserId, type IncidentId } from '../../src/domain/ids.ts';
import { appHarness, type AppHarness } from '../helpers/app.ts';

let h: AppHarness;
/** The real store, counting the transactions it runs. */
let transactions = 0;
let deps: AppDeps;

beforeAll(async () => {
  h = await appHarness();
  const store: Store = {
    transaction(fn, o) {
      transactions++;
      return h.deps.store.transaction(fn, o);
    },
    reads: h.deps.store.reads,
  };
  deps = { ...h.deps, store };
  // A note whose text is 'poison' is refused by the database (its event cannot be stored);
  // one whose text is 'crash' kills its connection when its transaction commits.
  await h.pool.query(`
    create function test_poison_note() returns trigger language plpgsql as $$
    begin
      if new.data->>'text' = 'poison' then raise exception 'test: this event cannot be stored' using errcode = '22023'; end if;
      return new;
    end $$;
    create trigger test_poison_note before insert on incident_events for each row execute function test_poison_note();
    create function test_crash_note() returns trigger language plpgsql as $$
    begin
      if new.data->>'text' = 'crash' then perform pg_terminate_backend(pg_backend_pid()); perform pg_sleep(5); end if;
      return null;
    end $$;
    create constraint trigger test_crash_note after insert on incident_events deferrable initially deferred
      for each row execute function test_crash_note();
  `);
});
afterAll(async () => h.close());

const meta = (key: string) => ({ actor: { kind: 'user' as const, userId: asSlackUserId('UDANA') }, source: { kind: 'slack' as const, channelId: asSlackChannelId('CGEN') }, idempotencyKey: key });
const note = (text: string) => ({ type: 'add_note' as const, text, via: 'command' as const });

async function declared(title: string): Promise<IncidentId> {
  const d = await declareIncident(deps, { title, severity: 'SEV2' }, meta(`declare:${title}`));
  if (!d.ok) throw new Error('declare failed');
  return d.incidentId;
}

/** The texts of an incident's notes, in log order. */
async function notesOf(id: IncidentId): Promise<string[]> {
  const r = await h.pool.query<{ text: string }>("select data->>'text' as text from incident_events where incident_id = $1 and type = 'note_added' order by seq", [id]);
  return r.rows.map((x) => x.text);
}

/** One command queued on the incident the way `applyCommand` queues it, after its permission check: at once, in call order. */
const queued = async (id: IncidentId, command: Parameters<typeof oneCommand>[0], key: string) => (await applyInBatch(deps, { id }, oneCommand(command, meta(key))))[0]!;

const count = async (sql: string, params: unknown[] = []): Promise<number> => Number((await h.pool.query<{ n: string }>(`select count(*)::text as n from ${sql}`, params)).rows[0]?.n);

describe('batched applying per incident', () => {
  it('applies 300 notes that arrive together in a handful of transactions, in arrival order, each with its own outcome', async () => {
    const id = await declared('Checkout errors');
    const texts = Array.from({ length: 300 }, (_, i) => `note ${i}`);
    transactions = 0;
    // Queued as `applyCommand` queues each command once it is authorized: in the order they join, synchronously.
    const outcomes = (await Promise.all(texts.map((t, i) => applyInBatch(deps, { id }, oneCommand(note(t), meta(`n1:${i}`)))))).flat();
    expect(outcomes.every((o) => o.ok && !o.duplicate && o.events.length === 1)).toBe(true);
    expect(await notesOf(id)).toEqual(texts);
    // The first goes alone and at once; the rest queue behind it and share transactions of up to 256.
    expect(transactions).toBeGreaterThanOrEqual(2);
    expect(transactions).toBeLessThanOrEqual(4);
    // Each command's outcome carries the state as it stood after that command.
    const counts = outcomes.map((o) => (o.ok ? o.state.eventCount : 0));
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(new Set(counts).size).toBe(300);
    // The projection is saved once per batch, and it is the state after the last command.
    const saved = await h.pool.query<{ version: number }>('select version from incidents where id = $1', [id]);
    expect(saved.rows[0]?.version).toBe(Math.max(...counts));
    expect(await count("command_keys where key like 'n1:%'")).toBe(300);
  });

  it('through applyCommand (permission check and names first), 200 concurrent notes all apply once in far fewer transactions', async () => {
    const id = await declared('Webhooks delayed');
    transactions = 0;
    const outcomes = await Promise.all(Array.from({ length: 200 }, (_, i) => applyCommand(deps, { id }, note(`c${i}`), meta(`n8:${i}`))));
    expect(outcomes.every((o) => o.ok && !o.duplicate)).toBe(true);
    expect((await notesOf(id)).sort()).toEqual(Array.from({ length: 200 }, (_, i) => `c${i}`).sort());
    // The permission check's own reads are transactions too (one per command); applying adds a handful.
    expect(transactions).toBeLessThan(200 + 20);
  });

  it('answers a refused command of a batch with its own error and applies the others; the refused one records nothing, not even its key', async () => {
    const id = await declared('Search slow');
    const results = await Promise.all([
      queued(id, note('before'), 'n2:a'),
      queued(id, note('first of the batch'), 'n2:b'),
      queued(id, { type: 'close' }, 'n2:close'),
      queued(id, note('after the refusal'), 'n2:c'),
    ]);
    expect(results.map((o) => o.ok)).toEqual([true, true, false, true]);
    const refused = results[2]!;
    if (!refused.ok) expect(refused.error.code).toBe('incident.not_resolved');
    expect(await notesOf(id)).toEqual(['before', 'first of the batch', 'after the refusal']);
    expect(await count("command_keys where key = 'n2:close'")).toBe(0);
  });

  it('a key seen earlier, in the log or in the same batch, is a duplicate: applied once', async () => {
    const id = await declared('Login loops');
    await queued(id, note('once'), 'n3:once');
    const results = await Promise.all([
      queued(id, note('held'), 'n3:hold'),
      queued(id, note('once'), 'n3:once'),
      queued(id, note('twice in one batch'), 'n3:twice'),
      queued(id, note('twice in one batch'), 'n3:twice'),
    ]);
    expect(results.map((o) => o.ok && o.duplicate)).toEqual([false, true, false, true]);
    expect(await notesOf(id)).toEqual(['once', 'held', 'twice in one batch']);
  });

  it('plans each item against the incident as the items before it left it', async () => {
    const id = await declared('Queue backlog');
    const seen: string[] = [];
    const item = (key: string): BatchItem => ({
      keys: [key],
      plan: (state) => {
        seen.push(state.status);
        return state.status === 'resolved' ? [] : [{ command: { type: 'resolve' as const }, meta: meta(key) }];
      },
    });
    const [first, second] = await Promise.all([applyInBatch(deps, { id }, item('n4:a')), applyInBatch(deps, { id }, item('n4:b'))]);
    expect(first?.map((o) => o.ok)).toEqual([true]);
    // The second saw the resolve the first applied, and planned nothing.
    expect(second).toEqual([]);
    expect(seen.slice(-1)).toEqual(['resolved']);
    expect(await count("incident_events where incident_id = $1 and type = 'resolved'", [id])).toBe(1);
  });

  it('a command that breaks its transaction fails alone: the batch is applied again item by item', async () => {
    const id = await declared('Payments flapping');
    await queued(id, note('holds the queue'), 'n5:first');
    const settled = await Promise.allSettled(['a', 'poison', 'b'].map((t) => queued(id, note(t), `n5:${t}`)));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((settled[1] as PromiseRejectedResult).reason)).toMatch(/cannot be stored/);
    expect(await notesOf(id)).toEqual(['holds the queue', 'a', 'b']);
    expect(await count("command_keys where key = 'n5:poison'")).toBe(0);
  });

  it('a connection lost at commit records none of the batch; every command then applies once, but the one that breaks it', async () => {
    const id = await declared('Disk full');
    const texts = ['one', 'two', 'crash', 'three'];
    const settled = await Promise.allSettled(texts.map((t) => queued(id, note(t), `n6:${t}`)));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    // Applied exactly once each (the first attempt's batch left nothing behind), in order.
    expect(await notesOf(id)).toEqual(['one', 'two', 'three']);
    expect(await count("command_keys where key like 'n6:%'")).toBe(3);
    const state = await h.pool.query<{ version: number }>('select version from incidents where id = $1', [id]);
    expect(state.rows[0]?.version).toBe(await count('incident_events where incident_id = $1', [id]));
  });

  it('different incidents apply side by side; an unknown one answers not found', async () => {
    const a = await declared('Region A');
    const b = await declared('Region B');
    const results = await Promise.all([
      ...Array.from({ length: 20 }, (_, i) => applyCommand(deps, { id: i % 2 ? a : b }, note(`n${i}`), meta(`n7:${i}`))),
      applyCommand(deps, { number: 99_999 }, note('nowhere'), meta('n7:nowhere')),
    ]);
    expect(results.slice(0, 20).every((o) => o.ok)).toBe(true);
    const last = results[20]!;
    expect(!last.ok && last.error.code).toBe('incident.not_found');
    expect((await notesOf(a)).length).toBe(10);
    expect((await notesOf(b)).length).toBe(10);
  });
});

/** Reminders stored for an incident, as `kind:subject@planned_at` (what a replan writes). */
const remindersOf = async (id: IncidentId): Promise<string[]> =>
  (await h.pool.query<{ r: string }>("select kind || ':' || subject || '@' || planned_at::text as r from reminders where incident_id = $1 order by 1", [id])).rows.map((x) => x.r);

describe('batches across incidents', () => {
  const batch = (incidentId: IncidentId, items: [Parameters<typeof oneCommand>[0], string][]): IncidentBatch =>
    ({ incidentId, items: items.map(([c, key]) => oneCommand(c, meta(key))) });

  it('applies the batches of several incidents in one transaction, each in order, each command with its own answer', async () => {
    const ids = [await declared('Across 1'), await declared('Across 2'), await declared('Across 3')];
    await queued(ids[2]!, note('already'), 'x1:dup');
    transactions = 0;
    const settled = await applyAcrossIncidents(deps, [
      batch(ids[0]!, [[note('a1'), 'x1:a1'], [note('a2'), 'x1:a2']]),
      batch(ids[1]!, [[note('b1'), 'x1:b1'], [{ type: 'close' }, 'x1:b-close'], [note('b2'), 'x1:b2']]),
      batch(ids[2]!, [[note('already'), 'x1:dup'], [note('c1'), 'x1:c1']]),
    ]);
    expect(transactions).toBe(1);
    const answers = settled.map((items) => items.map((s) => ('outcomes' in s ? s.outcomes.map((o) => (o.ok ? (o.duplicate ? 'dup' : 'ok') : o.error.code)) : 'error')));
    expect(answers).toEqual([[['ok'], ['ok']], [['ok'], ['incident.not_resolved'], ['ok']], [['dup'], ['ok']]]);
    expect(await notesOf(ids[0]!)).toEqual(['a1', 'a2']);
    expect(await notesOf(ids[1]!)).toEqual(['b1', 'b2']);
    expect(await notesOf(ids[2]!)).toEqual(['already', 'c1']);
    // The refused command recorded nothing, not even its key; each projection is the state after its last event.
    expect(await count("command_keys where key = 'x1:b-close'")).toBe(0);
    for (const id of ids) {
      const saved = await h.pool.query<{ version: number }>('select version from incidents where id = $1', [id]);
      expect(saved.rows[0]?.version).toBe(await count('incident_events where incident_id = $1', [id]));
    }
  });

  it('replans the reminders of an incident whose plan changed, in the same transaction', async () => {
    const quiet = await declared('Across quiet');
    const changing = await declared('Across changing');
    const before = { quiet: await remindersOf(quiet), changing: await remindersOf(changing) };
    expect(before.changing.length).toBeGreaterThan(0);
    await applyAcrossIncidents(deps, [
      batch(quiet, [[note('nothing to remind of'), 'x2:q']]),
      batch(changing, [[{ type: 'resolve', summary: 'fixed' }, 'x2:resolve']]),
    ]);
    expect(await remindersOf(quiet)).toEqual(before.quiet);
    // A resolved incident is no longer asked for status updates: its plan is not the open one's.
    expect(await remindersOf(changing)).not.toEqual(before.changing);
  });

  it('two such transactions over the same incidents, listed in opposite orders, queue instead of deadlocking', async () => {
    const a = await declared('Across lock A');
    const b = await declared('Across lock B');
    const runs = Array.from({ length: 6 }, (_, i) => applyAcrossIncidents(deps, (i % 2 ? [a, b] : [b, a]).map((id) => batch(id, [[note(`t${i}`), `x3:${i}:${id}`]]))));
    const settled = (await Promise.all(runs)).flat(2);
    expect(settled.every((s) => 'outcomes' in s && s.outcomes.every((o) => o.ok))).toBe(true);
    expect((await notesOf(a)).length).toBe(6);
    expect((await notesOf(b)).length).toBe(6);
  });

  it('a poison command fails alone: the other incidents and the rest of its own incident still apply', async () => {
    const a = await declared('Across poison A');
    const b = await declared('Across poison B');
    const settled = await applyAcrossIncidents(deps, [
      batch(a, [[note('a-before'), 'x4:a1'], [note('poison'), 'x4:poison'], [note('a-after'), 'x4:a2']]),
      batch(b, [[note('b-only'), 'x4:b1']]),
    ]);
    expect(settled.map((items) => items.map((s) => ('error' in s ? 'error' : 'ok')))).toEqual([['ok', 'error', 'ok'], ['ok']]);
    expect(await notesOf(a)).toEqual(['a-before', 'a-after']);
    expect(await notesOf(b)).toEqual(['b-only']);
  });

  it('an incident that does not exist answers not found; the others apply', async () => {
    const a = await declared('Across real');
    const missing = '00000000-0000-4000-8000-000000000000' as IncidentId;
    const settled = await applyAcrossIncidents(deps, [batch(missing, [[note('lost?'), 'x5:m']]), batch(a, [[note('here'), 'x5:a']])]);
    const first = settled[0]![0]!;
    expect('outcomes' in first && !first.outcomes[0]!.ok && first.outcomes[0]!.error.code).toBe('incident.not_found');
    expect(await notesOf(a)).toEqual(['here']);
  });
});


describe('stored requests marked with the commands they carried (CommandMeta.requestKey)', () => {
  /** A stored Slack request, as the receiver archives it before its listener runs. */
  const stored = async (key: string, status = 'received'): Promise<void> => {
    await h.pool.query(
      `insert into inbound_archive (source, dedupe_key, received_at, headers, body, status) values ('slack', $1, now(), '{}'::jsonb, 'command=%2Fincident', $2)`,
      [key, status],
    );
  };
  const statusOf = async (key: string): Promise<{ status: string; processed_at: Date | null } | undefined> =>
    (await h.pool.query<{ status: string; processed_at: Date | null }>('select status, processed_at from inbound_archive where dedupe_key = $1', [key])).rows[0];
  const fromRequest = (key: string) => ({ ...meta(key), requestKey: key });

  it('marks the request processed in the transaction that applies its command, and only then', async () => {
    const id = await declared('Logins failing');
    await stored('slack:cmd:T1:applied');
    await stored('slack:cmd:T1:refused');
    await stored('slack:cmd:T1:failed-before', 'failed');
    const [applied, refused, settled] = await Promise.all([
      applyCommand(deps, { id }, note('rolled back the deploy'), fromRequest('slack:cmd:T1:applied')),
      applyCommand(deps, { id }, { type: 'change_severity', severity: 'SEV9' as never }, fromRequest('slack:cmd:T1:refused')),
      applyCommand(deps, { id }, note('late copy'), fromRequest('slack:cmd:T1:failed-before')),
    ]);
    expect(applied.ok && !applied.duplicate).toBe(true);
    expect(refused.ok).toBe(false);
    expect(settled.ok).toBe(true);
    expect(await statusOf('slack:cmd:T1:applied')).toEqual({ status: 'processed', processed_at: h.clock.now() });
    // A refused command wrote nothing, its request's mark included: the receiver settles it.
    expect((await statusOf('slack:cmd:T1:refused'))?.status).toBe('received');
    // A request something else settled keeps what it says.
    expect((await statusOf('slack:cmd:T1:failed-before'))?.status).toBe('failed');
    // A retry of the applied command is a duplicate and changes nothing.
    const again = await applyCommand(deps, { id }, note('rolled back the deploy'), fromRequest('slack:cmd:T1:applied'));
    expect(again.ok && again.duplicate).toBe(true);
    expect(await notesOf(id)).toEqual(['rolled back the deploy', 'late copy']);
  });

  it('a transaction that fails leaves its request received, so the recovery pass applies it again', async () => {
    const id = await declared('Exports stuck');
    await stored('slack:cmd:T1:poison');
    await stored('slack:cmd:T1:beside-poison');
    // The first goes alone; the two behind it share a batch, whose transaction the poison note fails.
    const [, poison, beside] = await Promise.allSettled([
      queued(id, note('ahead'), 'n9:ahead'),
      applyInBatch(deps, { id }, oneCommand(note('poison'), fromRequest('slack:cmd:T1:poison'))),
      applyInBatch(deps, { id }, oneCommand(note('beside it'), fromRequest('slack:cmd:T1:beside-poison'))),
    ]);
    expect(poison.status).toBe('rejected');
    expect(beside.status).toBe('fulfilled');
    expect((await statusOf('slack:cmd:T1:poison'))?.status).toBe('received');
    // Its neighbour, applied alone after the batch failed, is marked with its own transaction.
    expect(await notesOf(id)).toEqual(['ahead', 'beside it']);
    expect((await statusOf('slack:cmd:T1:beside-poison'))?.status).toBe('processed');
  });
});
