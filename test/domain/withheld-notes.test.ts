/**
 * The one rule for note text withheld because its Slack message was deleted
 * (`domain/withheld-notes.ts`): the report applies it to the whole log, the
 * web view to a slice of it with the projection's notes, and the two give
 * the same answer, also in the cases where they used to differ.
 */
import { describe, expect, it } from 'vitest';
import type { IncidentEvent } from '../../src/domain/events.ts';
import { applyEvent, type IncidentState } from '../../src/domain/incident.ts';
import { gatherFacts } from '../../src/domain/report/facts.ts';
import { draftReport } from '../../src/domain/report/index.ts';
import type { Command } from '../../src/domain/commands.ts';
import { asSlackUserId } from '../../src/domain/ids.ts';
import { transition } from '../../src/domain/transition.ts';
import { textWithheld, withheldNoteText } from '../../src/domain/withheld-notes.ts';
import { LogBuilder, PEOPLE, REPORT_POLICY, sources } from '../fixtures/report/scripted-incident.ts';
import { at, envFor, testPolicy } from '../helpers/domain.ts';

type Step = ['flag', string, string] | ['edit', string, string] | ['delete', string] | ['type', string];

/** A log: the declaration, then one event a second per step (`flag`: a note from the message `ts`). */
function log(...steps: Step[]): IncidentEvent[] {
  const b = new LogBuilder();
  b.declare({ policy: REPORT_POLICY, severity: 'SEV2', title: 'Credentials in channel' });
  steps.forEach((s, i) => {
    const at = (i + 1) * 1000;
    if (s[0] === 'flag') b.add('note_added', at, { text: s[2], via: 'pin', messageTs: s[1] }, PEOPLE.mara, sources.message(s[1]));
    else if (s[0] === 'edit') b.add('message_edited', at, { messageTs: s[1], text: s[2], previousText: '(before)' }, PEOPLE.mara, sources.message(s[1]));
    else if (s[0] === 'delete') b.add('message_deleted', at, { messageTs: s[1], previousText: '(deleted)' }, PEOPLE.kranz, sources.message(s[1]));
    else b.add('note_added', at, { text: s[1], via: 'command' }, PEOPLE.mara, sources.command);
  });
  return b.events;
}

/** The report's answer for each event of the log: is its note text withheld? */
function report(events: readonly IncidentEvent[]): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const en of gatherFacts(events).entries) if (!en.marker) out.set(en.event.id, textWithheld(en.event, en.fate));
  return out;
}

function stateOf(events: readonly IncidentEvent[]): IncidentState {
  let s: IncidentState | undefined;
  for (const e of events) s = applyEvent(s, e);
  if (!s) throw new Error('empty log');
  return s;
}

/** The web's answer for `events[from, to)`, with the state read after the first `readAt` events. */
function web(events: readonly IncidentEvent[], from: number, to = events.length, readAt = events.length): (e: IncidentEvent) => boolean {
  return withheldNoteText(stateOf(events.slice(0, readAt)).notes, events.slice(from, to));
}

/** Withheld, by note text (a deletion by `deleted`), in log order. */
function byText(events: readonly IncidentEvent[], withheld: (e: IncidentEvent) => boolean): [string, boolean][] {
  return events.flatMap((e): [string, boolean][] => {
    if (e.type === 'note_added' || e.type === 'message_edited') return [[e.data.text, withheld(e)]];
    if (e.type === 'message_deleted') return [['deleted', withheld(e)]];
    return [];
  });
}

const reportSays = (events: readonly IncidentEvent[]): [string, boolean][] => {
  const r = report(events);
  return byText(events, (e) => r.get(e.id) ?? false);
};

describe('the rule the report applies to the whole log', () => {
  it('withholds a note whose message is deleted later, its edits and the deletion, and nothing else', () => {
    const events = log(['flag', '1.1', 'password hunter2'], ['edit', '1.1', 'password hunter3'], ['flag', '1.2', 'failover started'], ['delete', '1.1'], ['type', 'typed note'], ['edit', '1.2', 'failover done']);
    expect(reportSays(events)).toEqual([
      ['password hunter2', true], ['password hunter3', true], ['failover started', false], ['deleted', true], ['typed note', false], ['failover done', false],
    ]);
    const md = draftReport(events, REPORT_POLICY);
    expect(md).not.toMatch(/hunter[23]/);
    expect(md).toContain('failover started');
  });

  // A log Kranz no longer writes (it refuses a flag of a message whose note was deleted), which a log may still hold.
  it('keeps the text of a message flagged again after its deletion', () => {
    const events = log(['flag', '1.1', 'first: root password x9'], ['delete', '1.1'], ['flag', '1.1', 'second: rotated'], ['edit', '1.1', 'second: rotated and verified']);
    expect(reportSays(events)).toEqual([['first: root password x9', true], ['deleted', true], ['second: rotated', false], ['second: rotated and verified', false]]);
  });

  // Logs Kranz does not write (a message is flagged once while it is in the timeline, and only a flagged message's edits are
  // recorded), which the report used to show in part: the text of a message deleted later is withheld wherever it is.
  it('withholds a second note of one message with the first when the message is deleted', () => {
    const events = log(['flag', '1.1', 'token tok-4711'], ['flag', '1.1', 'token tok-4711 (pinned)'], ['edit', '1.1', 'token redacted'], ['delete', '1.1']);
    expect(reportSays(events)).toEqual([['token tok-4711', true], ['token tok-4711 (pinned)', true], ['token redacted', true], ['deleted', true]]);
    expect(draftReport(events, REPORT_POLICY)).not.toContain('tok-4711');
  });

  it('withholds an edit no note claims when its message is deleted later, and shows one after the last deletion', () => {
    const events = log(['flag', '1.1', 'call +1 555 0199'], ['delete', '1.1'], ['edit', '1.1', 'call +1 555 0142'], ['flag', '1.1', 'call the desk'], ['delete', '1.1'], ['edit', '1.1', 'after the last deletion']);
    expect(reportSays(events)).toEqual([
      ['call +1 555 0199', true], ['deleted', true], ['call +1 555 0142', true], ['call the desk', true], ['deleted', true], ['after the last deletion', false],
    ]);
    expect(draftReport(events, REPORT_POLICY)).not.toMatch(/555 01(99|42)/);
  });
});

describe('the same rule in the web view, for a slice of the log and the state\'s notes', () => {
  // A log Kranz could write before it refused a flag after a deletion: a message is flagged again only after its
  // deletion, edits and deletions follow a flagged message.
  const written = log(
    ['flag', '1.1', 'password hunter2'], ['edit', '1.1', 'password hunter3'], ['flag', '1.2', 'failover started'], ['delete', '1.1'],
    ['type', 'typed note'], ['flag', '1.1', 'rotated'], ['edit', '1.1', 'rotated and verified'], ['delete', '1.2'], ['flag', '1.2', 'failover again'],
    ['edit', '1.2', 'failover done'], ['delete', '1.1'], ['flag', '1.3', 'kept'],
  );

  it('gives the report\'s answer for the whole log', () => {
    for (const events of [written, log(['flag', '1.1', 'a'], ['flag', '1.1', 'b'], ['delete', '1.1']), log(['flag', '1.1', 'a'], ['delete', '1.1'], ['edit', '1.1', 'c'], ['flag', '1.1', 'd'], ['delete', '1.1'], ['edit', '1.1', 'e'])]) {
      expect(byText(events, web(events, 1))).toEqual(reportSays(events));
    }
  });

  it('never shows what the report withholds, for any slice and any time the state was read; it withholds more only for an edit whose note is before the slice', () => {
    const n = written.length;
    for (let from = 1; from <= n; from++) {
      for (let to = from; to <= n; to++) {
        for (let readAt = from; readAt <= n; readAt++) {
          // What the report would say when the web read: the log up to the later of the slice's end and the state.
          const r = report(written.slice(0, Math.max(to, readAt)));
          const slice = written.slice(from, to);
          const withheld = web(written, from, to, readAt);
          for (const e of slice) {
            const where = `slice [${from}, ${to}), state after ${readAt}, event ${written.indexOf(e)}`;
            if (r.get(e.id)) expect(withheld(e), where).toBe(true);
            else if (withheld(e)) {
              expect(e.type, where).toBe('message_edited');
              const ts = e.type === 'message_edited' ? e.data.messageTs : '';
              expect(slice.slice(0, slice.indexOf(e)).some((x) => x.type === 'note_added' && x.data.messageTs === ts), where).toBe(false);
            }
          }
        }
      }
    }
  });

  // Where the web used to withhold what the report shows.
  it('shows a note flagged again after its message\'s deletion when the slice starts at the deletion (a page of the API, one poll of a live page)', () => {
    const events = log(['flag', '1.1', 'first: root password x9'], ['delete', '1.1'], ['flag', '1.1', 'second: rotated'], ['edit', '1.1', 'second: rotated and verified']);
    expect(byText(events.slice(2), web(events, 2))).toEqual(reportSays(events).slice(1));
    expect(byText(events.slice(2), web(events, 2))).toEqual([['deleted', true], ['second: rotated', false], ['second: rotated and verified', false]]);
  });

  it('does not reach a later note of a message with a deletion no note claims, and shows an edit after the last deletion', () => {
    const late = log(['delete', '1.1'], ['flag', '1.1', 'flagged after the deletion']);
    expect(byText(late, web(late, 1))).toEqual([['deleted', true], ['flagged after the deletion', false]]);
    expect(byText(late, web(late, 1))).toEqual(reportSays(late));
    const edited = log(['flag', '1.1', 'a'], ['delete', '1.1'], ['edit', '1.1', 'after the deletion']);
    expect(byText(edited, web(edited, 1))).toEqual([['a', true], ['deleted', true], ['after the deletion', false]]);
    expect(byText(edited, web(edited, 1))).toEqual(reportSays(edited));
  });

  it('withholds an edit whose note is before the slice when a note of its message before the slice was deleted', () => {
    const events = log(['flag', '1.1', 'first: root password x9'], ['delete', '1.1'], ['flag', '1.1', 'second: rotated'], ['edit', '1.1', 'second: rotated and verified']);
    // The state does not say whether the first note was deleted before the edit or after: the edit is withheld.
    expect(byText(events.slice(4), web(events, 4))).toEqual([['second: rotated and verified', true]]);
    const kept = log(['flag', '1.1', 'kept'], ['edit', '1.1', 'kept, edited']);
    expect(byText(kept.slice(2), web(kept, 2))).toEqual([['kept, edited', false]]);
    const deleted = log(['flag', '1.1', 'secret'], ['edit', '1.1', 'secret, edited'], ['delete', '1.1']);
    // The state, read after the deletion, knows it.
    expect(byText(deleted.slice(2, 3), web(deleted, 2, 3))).toEqual([['secret, edited', true]]);
  });
});

describe('a flag of a message whose note was deleted, through the transition', () => {
  /** The commands applied in order from nothing, one minute apart: the log, the state, and how each command ended. */
  function commands(...cs: Command[]): { events: IncidentEvent[]; state: IncidentState; outcomes: string[] } {
    let state: IncidentState | undefined;
    const events: IncidentEvent[] = [];
    const outcomes: string[] = [];
    let n = 0;
    cs.forEach((c, i) => {
      const r = transition(state, c, at(i), envFor({ newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}` }));
      if (!r.ok) return void outcomes.push(r.error.code);
      outcomes.push(r.value.events.map((e) => e.type).join(',') || 'nothing');
      events.push(...r.value.events);
      state = r.value.state;
    });
    if (!state) throw new Error('no state');
    return { events, state, outcomes };
  }
  const declare: Command = { type: 'declare', number: 7, title: 'Credentials in channel', severity: 'SEV2', commanderId: asSlackUserId('UCOMMANDER') };
  const pin = (messageTs: string, text: string): Command => ({ type: 'add_note', text, via: 'pin', messageTs });
  const react = (messageTs: string, text: string): Command => ({ type: 'add_note', text, via: 'reaction', messageTs });

  it('is refused and records nothing: the deleted text is in no note, the report or the web view', () => {
    const { events, state, outcomes } = commands(
      declare, react('1.1', 'root password is x9'), { type: 'delete_message', messageTs: '1.1' },
      // The same message flagged again after its deletion (a pin Slack still lists, a 📌 that arrived late), with its text.
      pin('1.1', 'root password is x9'), react('1.1', 'root password is x9'),
    );
    expect(outcomes.slice(1)).toEqual(['note_added', 'message_deleted', 'note.message_deleted', 'note.message_deleted']);
    expect(events.filter((e) => e.type === 'note_added')).toHaveLength(1);
    expect(state.notes).toEqual([expect.objectContaining({ messageTs: '1.1', deleted: true })]);
    const md = draftReport(events, testPolicy);
    expect(md).not.toContain('x9');
    expect(md).toMatch(/Note deleted/);
    // The web view, for the whole log and for a page starting after the first note.
    for (const from of [0, 2]) {
      const withheld = withheldNoteText(state.notes, events.slice(from));
      for (const e of events.slice(from)) if (JSON.stringify(e.data).includes('x9')) expect(withheld(e), e.type).toBe(true);
    }
  });

  it('still flags a message that was never deleted, once, and shows its text', () => {
    const { events, state, outcomes } = commands(
      declare, react('1.1', 'password hunter2'), { type: 'delete_message', messageTs: '1.1' },
      pin('1.2', 'failover started'), react('1.2', 'failover started'),
    );
    expect(outcomes.slice(1)).toEqual(['note_added', 'message_deleted', 'note_added', 'nothing']);
    expect(state.notes.map((n) => [n.messageTs, n.deleted])).toEqual([['1.1', true], ['1.2', false]]);
    const note = events.find((e) => e.type === 'note_added' && e.data.messageTs === '1.2');
    expect(note?.data).toMatchObject({ text: 'failover started', via: 'pin' });
    expect(withheldNoteText(state.notes, events)(note!)).toBe(false);
    const md = draftReport(events, testPolicy);
    expect(md).toContain('failover started');
    expect(md).not.toContain('hunter2');
  });
});
