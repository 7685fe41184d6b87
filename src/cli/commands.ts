/**
 * Every `kranz` command, in the order `kranz --help` lists them. To add one:
 * write `src/cli/<name>.ts` exporting a `CliCommand` and list it here.
 */
import type { CliCommand } from './command.ts';
import { demoCommand } from './demo.ts';
import { doctorCommand } from './doctor.ts';
import { inboundCommand } from './inbound.ts';
import { listCommand } from './list.ts';
import { manifestCommand } from './manifest.ts';
import { migrateCommand } from './migrate.ts';
import { outboxCommand } from './outbox.ts';
import { reportCommand } from './report.ts';
import { startCommand } from './start.ts';

export const COMMANDS: readonly CliCommand[] = [
  startCommand,
  migrateCommand,
  doctorCommand,
  listCommand,
  reportCommand,
  manifestCommand,
  outboxCommand,
  inboundCommand,
  demoCommand,
];
