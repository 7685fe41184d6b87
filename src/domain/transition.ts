/**
 * The incident state machine: `transition(state, command, now, env)` turns a
 * command into events and effects, or a typed error. It never throws and does
 * no I/O; time and ids come in as arguments.
 *
 * Each command type has one handler in the table below (grouped by concern in
 * `handlers/`); this module keeps only the checks every command shares: text
 * limits, "declare needs no incident, everything else needs one", who may
 * (`permissions.ts`: the one place a person's command is authorized), and
 * what a closed incident still accepts.
 */
import { err, ok, type Result } from '../lib/result.ts';
import type { Command, CommandType } from './commands.ts';
import { domainError, type DomainError } from './errors.ts';
import type { IncidentState } from './incident.ts';
import { checkPermission } from './permissions.ts';
import { permissionsPolicy } from './policy.ts';
import { newStep, type Handler, type Transition, type TransitionEnv } from './handlers/context.ts';
import { customerHandlers } from './handlers/customers.ts';
import { publicationHandlers } from './handlers/publications.ts';
import { declareHandlers } from './handlers/declare.ts';
import { lifecycleHandlers } from './handlers/lifecycle.ts';
import { pagerDutyHandlers } from './handlers/pagerduty.ts';
import { reminderHandlers } from './handlers/reminders.ts';
import { roleHandlers } from './handlers/roles.ts';
import { timeHandlers } from './handlers/times.ts';
import { timelineHandlers } from './handlers/timeline.ts';
import { updateHandlers } from './handlers/updates.ts';

export type { Transition, TransitionEnv } from './handlers/context.ts';

/** One handler per command type: a command without one does not compile. */
export const HANDLERS: { [K in CommandType]: Handler<K> } = {
  ...declareHandlers,
  ...lifecycleHandlers,
  ...updateHandlers,
  ...timelineHandlers,
  ...roleHandlers,
  ...pagerDutyHandlers,
  ...reminderHandlers,
  ...customerHandlers,
  ...timeHandlers,
  ...publicationHandlers,
};

/** Facts from the outside world are recorded whatever the status: losing them would be worse. */
const ACCEPTED_WHEN_CLOSED: ReadonlySet<CommandType> = new Set<CommandType>([
  'record_channel', 'member_joined', 'record_pagerduty_event', 'link_pagerduty', 'unlink_pagerduty', 'edit_message', 'delete_message',
  'record_report', 'reopen', 'record_reminder', 'record_publication', 'record_publication_failure', 'add_action_item', 'record_root_cause', 'add_note',
  // The reports are finished after close: customers, corrections and customer reports still apply.
  'attach_customer', 'detach_customer', 'edit_customer_report', 'record_customer_report', 'send_customer_report', 'correct_time',
]);

/** Free text a person typed, by command: the field's name and value. */
const TEXT_FIELDS: { [K in CommandType]?: (c: Extract<Command, { type: K }>) => [string, string] } = {
  declare: (c) => ['title', c.title],
  post_status_update: (c) => ['summary', c.summary],
  record_customer_contact: (c) => ['details', c.details],
  record_root_cause: (c) => ['text', c.text],
  add_action_item: (c) => ['text', c.text],
  add_note: (c) => ['text', c.text],
};

const MAX_TEXT = 3_000;

export function transition(
  state: IncidentState | undefined,
  command: Command,
  now: Date,
  env: TransitionEnv,
): Result<Transition, DomainError> {
  const textErr = checkText(command);
  if (textErr) return err(textErr);
  if (command.type === 'declare' && state) return err(domainError('incident.already_declared', { number: state.number }));
  if (command.type !== 'declare' && !state) return err(domainError('incident.not_declared', {}));
  // Who may comes before what the state allows: someone who may not reopen is told so, not that it is closed.
  const denied = checkPermission(permissionsPolicy(env.policy), command, env.actor, state, env.access);
  if (denied) return err(denied);
  if (state && state.status === 'closed' && !ACCEPTED_WHEN_CLOSED.has(command.type)) return err(domainError('incident.closed', { number: state.number }));
  const { step, out } = newStep(state, now, env);
  // The table is keyed by `command.type`, so the handler matches the command; TypeScript cannot see that through the lookup.
  const handler = HANDLERS[command.type] as Handler<CommandType>;
  const refused = handler(command as never, state as never, step);
  return refused ? err(refused) : ok(out);
}

function checkText(c: Command): DomainError | undefined {
  const field = (TEXT_FIELDS[c.type] as ((x: Command) => [string, string]) | undefined)?.(c);
  if (!field) return undefined;
  const [name, v] = field;
  if (!v || !v.trim()) return domainError('input.empty', { field: name });
  // A flagged Slack message is kept whole: its length is the author's, not the responder's.
  if (v.length > MAX_TEXT && c.type !== 'add_note') return domainError('input.too_long', { field: name, length: v.length, max: MAX_TEXT });
  return undefined;
}
