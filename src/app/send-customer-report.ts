/**
 * Sends a customer report after a person clicked Send under its review copy.
 * What is sent is re-drafted from the log and must be the very text that was
 * reviewed (same digest): if the incident changed since, nothing is sent and
 * the clicker is told to review the new draft. Who may send (by Slack or by
 * email) is the policy's `permissions.allow.send_customer_report`, asked
 * first (`mayActorSend`) so someone who may not send is told that, not that
 * the draft changed.
 */
import { asIncidentId } from '../domain/ids.ts';
import { draftCustomerReport, renderCustomerMarkdown } from '../domain/report/customer.ts';
import { applyCommand, notFound, type CommandMeta, type CommandOutcome } from './apply-command.ts';
import { authorize, type Authorized } from './authorize.ts';
import type { AppDeps } from './ports.ts';

export type SendCustomerReportOutcome =
  | CommandOutcome
  | { ok: false; error: { code: 'customer_report.changed'; params: { customer: string } } };

/** Whether the actor may send this incident's customer reports (the refusal names who may). */
export function mayActorSend(deps: AppDeps, meta: CommandMeta, incidentId: string, customer: string): Promise<Authorized> {
  return authorize(deps, { id: asIncidentId(incidentId) }, { type: 'send_customer_report', customer, sha256: '', markdown: '' }, meta);
}

/** Drafts the customer report as of now: the Markdown and its digest (undefined: not attached). */
export async function currentCustomerReport(deps: AppDeps, incidentId: string, customer: string): Promise<{ markdown: string; sha256: string } | undefined> {
  const events = await deps.store.transaction((u) => u.events.loadEvents(incidentId));
  if (!events.length) return undefined;
  const r = draftCustomerReport(events, deps.policy, customer);
  if (!r) return undefined;
  const markdown = renderCustomerMarkdown(r);
  return { markdown, sha256: deps.sha256(markdown) };
}

export async function sendCustomerReport(deps: AppDeps, incidentId: string, customer: string, reviewedSha: string, meta: CommandMeta, via: 'slack' | 'email' = 'slack'): Promise<SendCustomerReportOutcome> {
  const allowed = await mayActorSend(deps, meta, incidentId, customer);
  if (!allowed.ok) return allowed;
  const now = await currentCustomerReport(deps, incidentId, customer);
  if (!now) return { ok: false, error: notFound({ id: asIncidentId(incidentId) }) };
  if (now.sha256 !== reviewedSha) return { ok: false, error: { code: 'customer_report.changed', params: { customer } } };
  return applyCommand(deps, { id: asIncidentId(incidentId) }, { type: 'send_customer_report', customer, sha256: now.sha256, markdown: now.markdown, via }, meta);
}
