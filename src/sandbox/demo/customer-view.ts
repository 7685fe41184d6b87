/**
 * What the affected customer saw, printed at the end of the demo as they saw
 * it: the status page incident as its readers read it (newest update first,
 * components and their state), and the email thread in the main contact's
 * inbox. Read back from the stand-ins, so it is what Kranz really published.
 */
import { createReportClock } from '../../domain/report/clock.ts';
import type { SmtpStandIn } from '../smtp/stand-in.ts';
import type { StatusPageStandIn } from '../statuspage/stand-in.ts';

/** What the demo tells about the customer side, for its figures and the test. */
export interface CustomerSide {
  /** Status page incidents created (the story makes one). */
  pageIncidents: number;
  /** Updates on it, the first one included. */
  pageUpdates: number;
  emails: number;
}

export function customerSide(sp: StatusPageStandIn, smtp: SmtpStandIn): CustomerSide {
  const incidents = [...sp.state.incidents.values()];
  return { pageIncidents: incidents.length, pageUpdates: incidents.reduce((n, i) => n + i.incident_updates.length, 0), emails: smtp.mails.length };
}

/**
 * The status page incident and the email thread, one line each, times in
 * `timezone`. `fromReal` turns the real time a mail arrived into story time.
 */
export function customerViewLines(sp: StatusPageStandIn, smtp: SmtpStandIn, o: { timezone: string; pageName: string; fromReal: (ms: number) => number }): string[] {
  const clock = createReportClock(o.timezone);
  const at = (iso: string | Date): string => clock.stamp(typeof iso === 'string' ? Date.parse(iso) : o.fromReal(iso.getTime())).local;
  const lines: string[] = [];
  for (const i of [...sp.state.incidents.values()]) {
    lines.push(`The status page (${o.pageName}, ${i.shortlink}), as its readers see it:`);
    const components = i.components.map((c) => `${c.name}: ${(sp.state.components.get(c.id)?.status ?? c.status).replace(/_/g, ' ')}`).join(', ');
    lines.push(`  ${i.name} · ${i.status}${components ? ` · ${components}` : ''}`);
    for (const u of i.incident_updates) {
      const changed = (u.affected_components ?? []).map((a) => `${a.name} ${a.old_status.replace(/_/g, ' ')} → ${a.new_status.replace(/_/g, ' ')}`).join('; ');
      lines.push(`  ${at(u.display_at)}  ${u.status.padEnd(13)} ${u.body || '(no message)'}${changed ? ` [${changed}]` : ''}`);
    }
  }
  const byRecipient = new Map<string, typeof smtp.mails>();
  for (const m of smtp.mails) for (const to of m.to) byRecipient.set(to, [...(byRecipient.get(to) ?? []), m]);
  for (const [to, mails] of byRecipient) {
    const first = mails[0];
    if (!first) continue;
    lines.push('');
    lines.push(`${to}'s inbox: one thread of ${mails.length} ${mails.length === 1 ? 'email' : 'emails'} from ${first.fromHeader}, "${first.subject}":`);
    mails.forEach((m, n) => {
      // Each later mail replies to the one before it (In-Reply-To/References), which is what threads them.
      const threaded = n === 0 ? '' : mails.slice(0, n).some((p) => p.messageId === m.inReplyTo) ? ' (in reply to the previous one)' : ' (NOT threaded)';
      lines.push(`  ${at(m.receivedAt)}  ${m.subject}${threaded}`);
      for (const l of m.text.trimEnd().split('\n').filter((x) => x.trim() !== '')) lines.push(`      ${l}`);
    });
  }
  return lines;
}
