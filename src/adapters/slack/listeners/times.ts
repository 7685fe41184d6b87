/**
 * `/incident times`: the form that corrects the key times the report
 * measures. The command opens it (views.open); its submission checks every
 * changed field (an unreadable or future time is answered inline, nothing
 * recorded), then records one `correct_time` per changed time, each with its
 * own idempotency key so a double-clicked submit records nothing twice. The
 * answer gives each time with the value it replaced, as recorded.
 */
import type { App, ViewResponseAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { applyCommand, type CommandOutcome } from '../../../app/apply-command.ts';
import { KEY_TIMES } from '../../../domain/events.ts';
import { asIncidentId } from '../../../domain/ids.ts';
import type { IncidentState } from '../../../domain/incident.ts';
import { createReportClock } from '../../../domain/report/clock.ts';
import { keyTimeRows } from '../../../domain/report/index.ts';
import { parseWallTime } from '../../../domain/wall-time.ts';
import { changedTimes, parseTimesMeta, TIMES_CALLBACK, timeBlock, timesModal } from '../blocks/times-modal.ts';
import { TIMES_REPLIES } from '../strings/times.ts';
import { errorText } from '../strings/errors.ts';
import { userMeta, type SlackListenerDeps } from './context.ts';
import { tell } from './answers.ts';

/** A hand-set time may be a little ahead of the server clock (the domain's rule), never minutes into the future. */
const FUTURE_SLACK_MS = 60_000;

/** Writes a time as the form shows it: `YYYY-MM-DD HH:MM` in the report's time zone. */
function formTime(timezone: string): { zone: string; local: (ms: number) => string } {
  const clock = createReportClock(timezone);
  return { zone: clock.zone, local: (ms) => `${clock.stamp(ms).dateKey} ${clock.stamp(ms).local}` };
}

/**
 * The value an applied correction recorded as the one it replaced, as the form writes times;
 * none when it recorded none, or when the command had applied before (its events are not returned again).
 */
export function recordedWas(o: CommandOutcome, timezone: string): string | undefined {
  if (!o.ok) return undefined;
  for (const e of o.events) {
    if (e.type !== 'time_corrected' || !e.data.previous) continue;
    const ms = Date.parse(e.data.previous);
    if (!Number.isNaN(ms)) return formTime(timezone).local(ms);
  }
  return undefined;
}

/** Opens the form for incident `s`, with its key times as the report has them now. */
export async function openTimesForm(deps: SlackListenerDeps, client: WebClient, s: IncidentState, o: { triggerId: string; channelId: string }): Promise<void> {
  const events = await deps.app.store.transaction((u) => u.events.loadEvents(s.id));
  const { zone, local } = formTime(deps.app.policy.reportTimezone);
  const view = timesModal({ number: s.number, timezone: zone, rows: keyTimeRows(events, deps.app.policy), channelId: o.channelId, incidentId: s.id, local });
  await client.views.open({ trigger_id: o.triggerId, view: view as never });
}

export function registerTimes(app: App, deps: SlackListenerDeps): void {
  app.view(TIMES_CALLBACK, async ({ ack, view, body, client }) => {
    const answer = ack as (r?: ViewResponseAction) => Promise<void>;
    const meta = parseTimesMeta(view.private_metadata);
    const userId = body.user.id;
    if (!meta) {
      await answer();
      return void (await tell(client, undefined, userId, TIMES_REPLIES.unreadable, deps));
    }
    const found = changedTimes(view.state.values as never, meta, KEY_TIMES);
    const now = deps.app.clock.now();
    const parsed = found.changes.map((c) => ({ ...c, at: parseWallTime(c.text, now, deps.app.policy.reportTimezone) }));
    for (const p of parsed) {
      if (!p.at) found.errors[timeBlock(p.key)] = TIMES_REPLIES.unreadableTime(p.text, deps.app.policy.reportTimezone);
      else if (p.at.getTime() > now.getTime() + FUTURE_SLACK_MS) found.errors[timeBlock(p.key)] = TIMES_REPLIES.inFuture(p.text);
    }
    if (Object.keys(found.errors).length) return void (await answer({ response_action: 'errors', errors: found.errors }));
    await answer();
    if (parsed.length === 0) return void (await tell(client, meta.channelId, userId, TIMES_REPLIES.nothingChanged, deps));
    const done: { label: string; text: string; was?: string }[] = [];
    const refused: string[] = [];
    for (const p of parsed) {
      if (!p.at) continue;
      // One key per time: a second submission of the same view records nothing twice.
      const o = await applyCommand(deps.app, { id: asIncidentId(meta.incidentId) }, {
        type: 'correct_time', key: p.key, at: p.at.toISOString(), ...(found.reason ? { reason: found.reason } : {}),
      }, userMeta(userId, meta.channelId, `slack:view:${view.id}:${p.key}`, body.user.name));
      // The value recorded as replaced (the report's at that moment); else what the form showed (a submission applied
      // before, or an incident stored before its state kept the key times).
      const was = recordedWas(o, deps.app.policy.reportTimezone) ?? p.was;
      if (o.ok) done.push({ label: p.key.replace(/_/g, ' '), text: p.text, ...(was ? { was } : {}) });
      else refused.push(`${p.key.replace(/_/g, ' ')}: ${errorText(o.error).text}`);
    }
    await tell(client, meta.channelId, userId, TIMES_REPLIES.corrected(done, refused), deps);
  });
}
