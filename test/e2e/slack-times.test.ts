/**
 * `/incident times` through the Slack stand-in: the command opens a form
 * (views.open) with every key time the report measures, its value and where
 * it came from; a changed time is recorded as a correction with who made it
 * (on the timeline and in the report's figures); an unreadable or future
 * time is answered in the form and records nothing; an unchanged form
 * records nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReportClock } from '../../src/domain/report/clock.ts';
import { draftReport } from '../../src/domain/report/index.ts';
import type { IncidentEvent } from '../../src/domain/events.ts';
import { testPolicy } from '../helpers/domain.ts';
import { incidentChannel, outboxDrained, startHarness, USERS, type Harness } from '../helpers/kranz-harness.ts';
import { command, ephemeralTexts } from '../helpers/slack-e2e.ts';

let h: Harness;
let ch = '';
const dana = () => h.slack.user(USERS.dana.id);
const clock = createReportClock(testPolicy.reportTimezone);
const local = (ms: number): string => `${clock.stamp(ms).dateKey} ${clock.stamp(ms).local}`;

beforeAll(async () => {
  h = await startHarness();
  await command(h, dana(), 'CGENERAL', 'declare SEV2 Search results are empty');
  ch = (await incidentChannel(h, 1)).id;
  await outboxDrained(h);
});
afterAll(async () => h?.close());

async function openForm() {
  const r = await dana().slashCommand(ch, '/incident', 'times');
  expect(r.status).toBe(200);
  return h.slack.waitFor(() => {
    const v = h.slack.workspace.topModal(USERS.dana.id);
    return v?.open && v.callback_id === 'key_times' ? v : undefined;
  }, { what: 'the key times form' });
}

const field = (view: { blocks: Record<string, unknown>[] }, key: string) => view.blocks.find((b) => b['block_id'] === `kt_${key}`) as
  { label: { text: string }; hint?: { text: string }; element: { initial_value?: string } } | undefined;

async function events(): Promise<IncidentEvent[]> {
  const r = await h.pool.query<{ id: string }>('select id from incidents where number = 1');
  return h.kranz.deps.store.transaction((u) => u.events.loadEvents(r.rows[0]!.id as never));
}

describe('/incident times', () => {
  it('opens a form with every key time, its value in the report time zone and its source', async () => {
    const view = await openForm();
    const declared = field(view, 'declared');
    expect(declared?.label.text).toBe('Declared');
    expect(declared?.element.initial_value).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d$/);
    expect(field(view, 'impact_started')?.hint?.text).toBe('Source: not recorded: the declaration stands in');
    expect(field(view, 'mitigated')?.element.initial_value).toBeUndefined();
    expect(view.blocks.some((b) => b['block_id'] === 'kt_reason')).toBe(true);
    await dana().closeView(view.id);
  });

  it('answers an unreadable or future time in the form and records nothing', async () => {
    const view = await openForm();
    const r = await dana().submitView(view.id, { kt_mitigated: '25:99', kt_restored: local(Date.now() + 3 * 3_600_000) });
    expect(r.responseAction).toBe('errors');
    expect(r.errors?.['kt_mitigated']).toMatch(/"25:99" is not a time: use HH:MM or YYYY-MM-DD HH:MM/);
    expect(r.errors?.['kt_restored']).toMatch(/in the future/);
    expect((await events()).filter((e) => e.type === 'time_corrected')).toEqual([]);
    await dana().closeView(view.id);
  });

  it('records nothing when nothing changed, and says so', async () => {
    const view = await openForm();
    const r = await dana().submitView(view.id, {});
    expect(r.responseAction).toBe('close');
    await h.slack.waitFor(() => ephemeralTexts(h, USERS.dana.id, ch).find((t) => t.includes('No time changed')), { what: 'the "nothing changed" reply' });
    expect((await events()).filter((e) => e.type === 'time_corrected')).toEqual([]);
  });

  it('records each changed time as a correction by the person who made it, shown on the timeline and used by the report', async () => {
    const view = await openForm();
    const was = field(view, 'impact_started')?.element.initial_value ?? '';
    const declaredMs = Date.parse(`${was.replace(' ', 'T')}:00Z`); // only used to move 12 minutes back in local wall time
    const earlier = new Date(declaredMs - 12 * 60_000).toISOString().slice(0, 16).replace('T', ' ');
    const r = await dana().submitView(view.id, { kt_impact_started: earlier, kt_reason: 'Error alerts began before the declare' });
    expect(r.responseAction).toBe('close');
    await outboxDrained(h);
    const reply = await h.slack.waitFor(() => ephemeralTexts(h, USERS.dana.id, ch).find((t) => t.startsWith('Corrected')), { what: 'the confirmation' });
    expect(reply).toContain(`impact started: ${earlier} (was ${was})`);
    const corrections = (await events()).filter((e) => e.type === 'time_corrected');
    expect(corrections).toHaveLength(1);
    const c = corrections[0]!;
    expect(c.data).toEqual(expect.objectContaining({ key: 'impact_started', reason: 'Error alerts began before the declare' }));
    expect(c.actor).toEqual(expect.objectContaining({ kind: 'user', userId: USERS.dana.id }));
    const md = draftReport(await events(), testPolicy);
    const hhmm = earlier.slice(11);
    expect(md).toMatch(new RegExp(`Time corrected: impact started ${hhmm}, was ${was.slice(11)} \\("Error alerts began before the declare"\\) — Dana`));
    expect(md).toMatch(new RegExp(`\\| Impact started \\| ${hhmm} \\| .* \\| corrected by Dana`));
    // The form shows the corrected time and its source next time.
    const again = await openForm();
    expect(field(again, 'impact_started')?.element.initial_value).toBe(earlier);
    expect(field(again, 'impact_started')?.hint?.text).toMatch(/^Source: corrected by Dana/);
    await dana().closeView(again.id);
  });

  it('answers a typed correction of the service-restored time with the value it replaced, and a second with the first', async () => {
    await command(h, dana(), ch, 'resolve Search is back');
    const resolvedMs = Date.parse((await events()).find((e) => e.type === 'resolved')!.occurredAt);
    const typed = (ms: number) => local(ms).replace(' ', 'T');
    const first = await command(h, dana(), ch, `times restored ${typed(resolvedMs - 10 * 60_000)} graphs recovered earlier`);
    expect(first).toEqual([`restored corrected to ${typed(resolvedMs - 10 * 60_000)} (was ${local(resolvedMs)}). The report uses it from now on.`]);
    const second = await command(h, dana(), ch, `times restored ${typed(resolvedMs - 5 * 60_000)}`);
    expect(second).toEqual([`restored corrected to ${typed(resolvedMs - 5 * 60_000)} (was ${local(resolvedMs - 10 * 60_000)}). The report uses it from now on.`]);
    const restored = (await events()).flatMap((e) => (e.type === 'time_corrected' && e.data.key === 'restored' ? [e.data] : []));
    const minute = (ms: number) => new Date(Math.floor(ms / 60_000) * 60_000).toISOString();
    expect(restored).toEqual([
      { key: 'restored', at: minute(resolvedMs - 10 * 60_000), previous: new Date(resolvedMs).toISOString(), reason: 'graphs recovered earlier' },
      { key: 'restored', at: minute(resolvedMs - 5 * 60_000), previous: minute(resolvedMs - 10 * 60_000) },
    ]);
    const md = draftReport(await events(), testPolicy);
    const hhmm = (ms: number) => clock.stamp(ms).local;
    expect(md).toContain(`Time corrected: service restored ${hhmm(resolvedMs - 5 * 60_000)}, was ${hhmm(resolvedMs - 10 * 60_000)} — Dana`);
  });
});
