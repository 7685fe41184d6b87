/**
 * Timeline capture from Slack: every message of an incident channel goes to
 * the channel log; a 📌 reaction, a pin or the "Add to incident timeline"
 * shortcut turns one into a timeline note that keeps the message's own time.
 * Edits and deletions of flagged messages become events, keeping history.
 */
import type { NoteVia } from '../domain/events.ts';
import { domainError } from '../domain/errors.ts';
import { asIncidentId, asSlackUserId, type SlackChannelId, type SlackUserId } from '../domain/ids.ts';
import { err } from '../lib/result.ts';
import { applyClaimed, applyCommandIn, claimAndLock, notFound, type CommandMeta, type CommandOutcome } from './apply-command.ts';
import { authorize } from './authorize.ts';
import { withNames } from './people.ts';
import type { AppDeps } from './ports.ts';
import { runInTransaction } from './run-in-transaction.ts';

export interface SlackMessageRef {
  channelId: string;
  ts: string;
  userId?: string;
  text: string;
  threadTs?: string;
  permalink?: string;
}

/** Records a message in the channel log; false when the channel is no incident's. */
export async function recordMessage(deps: AppDeps, m: SlackMessageRef): Promise<boolean> {
  return deps.store.transaction(async (uow) => {
    const incidentId = await uow.incidents.findIncidentIdByChannel(m.channelId);
    if (!incidentId) return false;
    await uow.channelLog.recordChannelMessage({ ...m, incidentId });
    return true;
  });
}

export async function recordEdit(deps: AppDeps, channelId: SlackChannelId, ts: string, text: string, editorId: SlackUserId | undefined, eventKey: string): Promise<CommandOutcome | undefined> {
  return runInTransaction(deps.store, async (uow): Promise<CommandOutcome> => {
    const incidentId = await uow.incidents.findIncidentIdByChannel(channelId);
    if (!incidentId) return { ok: false, error: notFound({ channelId }) };
    const now = deps.clock.now();
    await uow.channelLog.editChannelMessage(channelId, ts, text, now);
    return applyCommandIn(uow, deps, { id: asIncidentId(incidentId) }, { type: 'edit_message', messageTs: ts, text }, {
      actor: editorId ? { kind: 'user', userId: editorId } : { kind: 'kranz' }, source: { kind: 'slack', channelId, ts }, idempotencyKey: eventKey,
    });
  });
}

export async function recordDeletion(deps: AppDeps, channelId: SlackChannelId, ts: string, eventKey: string): Promise<CommandOutcome | undefined> {
  return runInTransaction(deps.store, async (uow): Promise<CommandOutcome> => {
    const incidentId = await uow.incidents.findIncidentIdByChannel(channelId);
    if (!incidentId) return { ok: false, error: notFound({ channelId }) };
    await uow.channelLog.deleteChannelMessage({ channelId, ts, incidentId });
    return applyCommandIn(uow, deps, { id: asIncidentId(incidentId) }, { type: 'delete_message', messageTs: ts }, {
      actor: { kind: 'kranz' }, source: { kind: 'slack', channelId, ts }, idempotencyKey: eventKey,
    });
  });
}

/**
 * Flags a message into the timeline. The text comes from the channel log
 * when Kranz saw the message, else from the caller (e.g. fetched from Slack).
 * `sentAt` is when the message was sent (the adapter reads it from Slack's
 * ts): the note keeps the message's own time, not the time it was flagged.
 *
 * A message Kranz saw deleted is not flagged (`note.message_deleted`), and
 * nothing is recorded: the flag reached Kranz after the deletion (a 📌 event
 * Slack sent again, a pin Slack still lists), and whatever text it carries,
 * from the channel log, the event or Slack's history, is the deleted text.
 * The incident knows the deletion of a message on its timeline (the domain
 * refuses those); the channel log knows that of every message of the channel.
 */
export async function flagMessage(
  deps: AppDeps,
  m: { channelId: SlackChannelId; ts: string; sentAt: Date; text?: string; authorId?: SlackUserId; permalink?: string },
  via: NoteVia,
  flaggedBy: SlackUserId,
): Promise<CommandOutcome> {
  // Names first, outside the transaction: the author is usually the one Kranz logged with the message.
  const seen = await deps.store.transaction((u) => u.channelLog.findChannelMessage(m.channelId, m.ts)).catch(() => undefined);
  const author = seen?.userId ?? m.authorId;
  const note = { type: 'add_note' as const, text: '', via, ...(author ? { authorId: asSlackUserId(author) } : {}) };
  const allowed = await authorize(deps, { channelId: m.channelId }, note, { actor: { kind: 'user', userId: flaggedBy }, source: { kind: 'slack', channelId: m.channelId }, idempotencyKey: '' });
  if (!allowed.ok) return allowed;
  const named = await withNames(deps, note, allowed.meta);
  const meta: CommandMeta = {
    actor: named.actor,
    ...(named.names ? { names: named.names } : {}),
    ...(named.access ? { access: named.access } : {}),
    source: { kind: 'slack', channelId: m.channelId, ts: m.ts, ...(m.permalink ? { permalink: m.permalink } : {}) },
    // One note per message, however many pins and 📌 it gets.
    idempotencyKey: `slack:flag:${m.channelId}:${m.ts}`,
    occurredAt: m.sentAt,
  };
  return runInTransaction(deps.store, async (uow): Promise<CommandOutcome> => {
    const incidentId = await uow.incidents.findIncidentIdByChannel(m.channelId);
    if (!incidentId) return { ok: false, error: notFound({ channelId: m.channelId }, 'timeline') };
    const claimed = await claimAndLock(uow, { id: asIncidentId(incidentId) }, meta.idempotencyKey);
    if (!claimed.ok) return claimed;
    if (claimed.value.duplicate) return claimed.value.duplicate;
    // Read under the incident's lock, which recording a deletion takes too: a deletion recorded meanwhile is seen here,
    // and one recorded after finds the note and withholds it.
    const logged = await uow.channelLog.findChannelMessage(m.channelId, m.ts);
    if (logged?.deleted) return err(domainError('note.message_deleted', { messageTs: m.ts }));
    const text = logged?.text ?? m.text ?? '';
    const authorId = logged?.userId ? asSlackUserId(logged.userId) : m.authorId;
    return applyClaimed(uow, deps, claimed.value.incidentId, claimed.value.current, {
      type: 'add_note', text: text || '(message without text)', via, messageTs: m.ts,
      ...(authorId ? { authorId } : {}), ...(m.permalink ? { permalink: m.permalink } : {}),
    }, meta);
  });
}
