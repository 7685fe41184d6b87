/** `kranz list [--all]`: incidents with status, severity, age and when the next status update is due. */
import type { IncidentListRow } from '../adapters/db/incident-stats-sql.ts';
import type { CliCommand } from './command.ts';
import { UsageError } from './command.ts';
import { loadConfig } from './config.ts';

/** `45s`, `12m`, `3h 05m`, `2d 4h`. */
export function shortDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** The table `kranz list` prints; `now` in ms. */
export function formatIncidentTable(rows: readonly IncidentListRow[], now: number): string {
  const header = ['INCIDENT', 'SEVERITY', 'STATUS', 'AGE', 'NEXT UPDATE', 'TITLE'];
  const body = rows.map((r) => {
    const due = r.nextUpdateDueAt && r.status !== 'resolved' && r.status !== 'closed' ? Date.parse(r.nextUpdateDueAt) - now : undefined;
    const next = due === undefined ? '-' : due >= 0 ? `in ${shortDuration(due)}` : `overdue ${shortDuration(-due)}`;
    return [`INC-${r.number}`, r.severity, r.status, shortDuration(now - Date.parse(r.declaredAt)), next, r.title];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  return [line(header), ...body.map(line)].join('\n');
}

export const listCommand: CliCommand = {
  name: 'list',
  summary: 'list open incidents (or --all) with status, severity, age and next update due',
  flags: {
    all: { type: 'boolean', description: 'closed incidents too' },
    limit: { type: 'string', value: 'N', description: 'at most N incidents, newest first (default 50)' },
    json: { type: 'boolean', description: 'one JSON object per line instead of a table' },
  },
  async run({ flags, io }) {
    const limit = flags['limit'] === undefined ? 50 : Number(flags['limit']);
    if (!Number.isSafeInteger(limit) || limit < 1) throw new UsageError(`kranz list: --limit must be a whole number of 1 or more, not "${String(flags['limit'])}"`);
    const all = flags['all'] === true;
    const { env } = await loadConfig();
    const { createCommandLogger } = await import('../adapters/logging.ts');
    const { openCheckedDatabase } = await import('../main.ts');
    const { listIncidents } = await import('../adapters/db/incident-stats-sql.ts');
    const { db } = await openCheckedDatabase(env, createCommandLogger(env.logLevel));
    try {
      const rows = await listIncidents(db.pool, { all, limit });
      if (flags['json'] === true) {
        for (const r of rows) io.out(`${JSON.stringify(r)}\n`);
      } else if (rows.length === 0) {
        io.out(`No ${all ? '' : 'open '}incidents in ${db.url}${all ? '' : '; "kranz list --all" shows closed ones too'}.\n`);
      } else {
        io.out(`${formatIncidentTable(rows, Date.now())}\n`);
      }
      return 0;
    } finally {
      await db.close();
    }
  },
};
