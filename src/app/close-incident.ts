/**
 * Closing drafts the incident report from the recorded events, stores it,
 * records that it was drafted, and queues its publication: all in the same
 * transaction as the `closed` event. `/incident report` re-drafts the same way.
 */
import type { Command } from '../domain/commands.ts';
import type { Effect } from '../domain/effects.ts';
import type { IncidentEvent } from '../domain/events.ts';
import type { IncidentState } from '../domain/incident.ts';
import { draftCustomerReport, draftReport, renderCustomerMarkdown, reportCustomers } from '../domain/report/index.ts';
import { transition } from '../domain/transition.ts';
import { claimAndLock, commitTransition, type CommandMeta, type CommandOutcome, type IncidentRef } from './apply-command.ts';
import { authorize } from './authorize.ts';
import type { AppDeps } from './ports.ts';
import { runInTransaction } from './run-in-transaction.ts';

export type CloseOutcome = CommandOutcome & { markdown?: string };

export async function closeIncident(deps: AppDeps, ref: IncidentRef, meta: CommandMeta): Promise<CloseOutcome> {
  return draftAndPublish(deps, ref, meta, { type: 'close' });
}

/** Re-drafts the report now (any status) and posts it again. */
export async function redraftReport(deps: AppDeps, ref: IncidentRef, meta: CommandMeta): Promise<CloseOutcome> {
  return draftAndPublish(deps, ref, meta, undefined);
}

async function draftAndPublish(deps: AppDeps, ref: IncidentRef, given: CommandMeta, first: Command | undefined): Promise<CloseOutcome> {
  const allowed = first ? await authorize(deps, ref, first, given) : { ok: true as const, meta: given };
  if (!allowed.ok) return allowed;
  const meta = allowed.meta;
  return runInTransaction(deps.store, async (uow): Promise<CloseOutcome> => {
    const claimed = await claimAndLock(uow, ref, meta.idempotencyKey);
    if (!claimed.ok) return claimed;
    const { incidentId, current: before, duplicate } = claimed.value;
    if (duplicate) return duplicate;
    const now = deps.clock.now();
    const env = { policy: deps.policy, incidentId, newId: deps.newId, ...meta };
    const events: IncidentEvent[] = [];
    const effects: Effect[] = [];
    let state: IncidentState | undefined = before;
    if (first) {
      const r = transition(state, first, now, env);
      if (!r.ok) return { ok: false, error: r.error };
      events.push(...r.value.events);
      effects.push(...r.value.effects);
      state = r.value.state;
    }
    const log = [...(await uow.events.loadEvents(incidentId)), ...events];
    const markdown = draftReport(log, deps.policy);
    const sha256 = deps.sha256(markdown);
    const recorded = transition(state, { type: 'record_report', length: markdown.length, sha256 }, now, { ...env, idempotencyKey: `${meta.idempotencyKey}:report` });
    if (!recorded.ok) return { ok: false, error: recorded.error };
    events.push(...recorded.value.events);
    state = recorded.value.state;
    if (!effects.some((f) => f.kind === 'slack.publish_report')) effects.push({ kind: 'slack.publish_report' });
    // Beside the internal report, one per affected customer, posted for review: none is sent without a click.
    for (const customer of reportCustomers(log)) {
      const draft = draftCustomerReport(log, deps.policy, customer);
      if (!draft) continue;
      const text = renderCustomerMarkdown(draft);
      const r = transition(state, { type: 'record_customer_report', customer, markdown: text, sha256: deps.sha256(text) }, now, { ...env, idempotencyKey: `${meta.idempotencyKey}:customer:${customer}` });
      if (!r.ok) return { ok: false, error: r.error };
      events.push(...r.value.events);
      effects.push(...r.value.effects);
      state = r.value.state;
    }
    // The publish row names the stored draft; the deliverer loads the Markdown by id.
    const reportId = await uow.reports.saveReport(incidentId, markdown, sha256);
    const withReport = effects.map((f) => (f.kind === 'slack.publish_report' ? { ...f, reportId } : f));
    const outcome = await commitTransition(uow, deps, incidentId, before, { events, effects: withReport, state }, meta.idempotencyKey, now);
    return { ...outcome, markdown };
  });
}
