/**
 * `kranz inbound list|replay <id>`: stored Slack and PagerDuty requests that
 * could not be applied, and applying one again. Replayed requests are applied
 * by the running Kranz (commands are idempotent: one already applied is not
 * applied twice).
 */
import { inboundProblems, replayInboundRow } from '../adapters/db/repair-sql.ts';
import { CliError, type CliCommand } from './command.ts';
import { oneLine, requireRowId, withDatabase } from './repair-db.ts';

const list: CliCommand = {
  name: 'list',
  summary: 'list inbound requests that failed or keep failing',
  flags: {},
  async run({ io }) {
    const rows = await withDatabase((db) => inboundProblems(db));
    if (rows.length === 0) {
      io.out('No failed inbound requests.');
      return 0;
    }
    for (const r of rows) {
      io.out(`#${r.id}  ${r.status === 'failed' ? 'failed  ' : 'retrying'}  ${r.source}  ${oneLine(r.dedupeKey, 80)}  received ${r.receivedAt}, ${r.attempts} attempts\n    ${oneLine(r.note) || 'no error recorded'}`);
    }
    io.out('\nFix the cause, then "kranz inbound replay <id>".');
    return 0;
  },
};

const replay: CliCommand = {
  name: 'replay',
  summary: 'apply a stored request again',
  args: '<id>',
  positionals: { min: 1, max: 1 },
  flags: {},
  async run({ positionals, io }) {
    const id = requireRowId('kranz inbound replay', positionals[0], 'an inbound request id', 'kranz inbound list');
    const r = await withDatabase((db) => replayInboundRow(db, id));
    if (r === 'missing') throw new CliError(`There is no inbound request #${id}. "kranz inbound list" shows the failed ones.`);
    io.out(`Inbound request #${id} is queued again; the running Kranz applies it within seconds.`);
    return 0;
  },
};

export const inboundCommand: CliCommand = {
  name: 'inbound',
  summary: 'see and replay stored requests that could not be applied',
  subcommands: [list, replay],
};
