/**
 * `kranz outbox list|retry <id>|drop <id>`: the deliveries that failed for
 * good (dead letters) or keep failing, and what to do about each. The running
 * Kranz delivers what is retried; nothing is sent from the command line.
 */
import { dropOutboxRow, outboxProblems, retryOutboxRow } from '../adapters/db/repair-sql.ts';
import { CliError, type CliCommand } from './command.ts';
import { oneLine, requireRowId, withDatabase } from './repair-db.ts';

const list: CliCommand = {
  name: 'list',
  summary: 'list dead letters and deliveries that keep failing',
  details: 'Dead letters failed permanently (or were given up after outbox.max_attempts unexpected errors, or outbox.give_up_after). Pending rows are listed once they have failed 3 times.',
  flags: {},
  async run({ io }) {
    const rows = await withDatabase((db) => outboxProblems(db));
    if (rows.length === 0) {
      io.out('No dead letters and no failing deliveries.');
      return 0;
    }
    for (const r of rows) {
      const inc = r.incidentNumber ? `INC-${r.incidentNumber}` : '-';
      const when = r.status === 'dead' ? `queued ${r.createdAt}` : `next try ${r.nextAttemptAt}`;
      io.out(`#${r.id}  ${r.status === 'dead' ? 'dead   ' : 'failing'}  ${inc}  ${r.target} ${r.op}  ${r.attempts} attempts, ${when}\n    ${oneLine(r.lastError) || 'no error recorded'}`);
    }
    const dead = rows.filter((r) => r.status === 'dead').length;
    io.out(`\n${dead} dead, ${rows.length - dead} failing. Fix the cause (channel, token, scopes), then "kranz outbox retry <id>"; "kranz outbox drop <id>" gives one up.`);
    return 0;
  },
};

const retry: CliCommand = {
  name: 'retry',
  summary: 'queue a dead or failing delivery again, due now',
  args: '<id>',
  positionals: { min: 1, max: 1 },
  flags: {},
  async run({ positionals, io }) {
    const id = requireRowId('kranz outbox retry', positionals[0], 'an outbox row id', 'kranz outbox list');
    const r = await withDatabase((db) => retryOutboxRow(db, id, new Date()));
    if (r === 'missing') throw new CliError(`There is no outbox row #${id}. "kranz outbox list" shows the dead and failing ones.`);
    if (r === 'delivered') throw new CliError(`Outbox row #${id} was delivered already; nothing to retry.`);
    io.out(`Outbox row #${id} is queued again; the running Kranz delivers it within seconds.`);
    return 0;
  },
};

const drop: CliCommand = {
  name: 'drop',
  summary: 'give a dead or failing delivery up for good',
  args: '<id>',
  positionals: { min: 1, max: 1 },
  flags: {},
  async run({ positionals, io }) {
    const id = requireRowId('kranz outbox drop', positionals[0], 'an outbox row id', 'kranz outbox list');
    const dropped = await withDatabase((db) => dropOutboxRow(db, id));
    if (!dropped) throw new CliError(`There is no undelivered outbox row #${id}. "kranz outbox list" shows the dead and failing ones.`);
    io.out(`Dropped outbox row #${id} (${dropped.target} ${dropped.op}). It would have sent:\n${JSON.stringify(dropped.payload, null, 2)}`);
    return 0;
  },
};

export const outboxCommand: CliCommand = {
  name: 'outbox',
  summary: 'see and re-run Slack and PagerDuty deliveries that failed',
  subcommands: [list, retry, drop],
};
