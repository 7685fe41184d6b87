/** Registers every Slack surface on the Bolt app: one `register` per surface. */
import type { App } from '@slack/bolt';
import { registerActions } from './actions.ts';
import { registerCustomerActions } from './customer-actions.ts';
import { registerCommands } from './commands.ts';
import type { SlackListenerDeps } from './context.ts';
import { registerEvents } from './events.ts';
import { registerShortcuts } from './shortcuts.ts';
import { registerTimes } from './times.ts';
import { registerViews } from './views.ts';

export function registerListeners(app: App, deps: SlackListenerDeps): void {
  registerCommands(app, deps);
  registerViews(app, deps);
  registerActions(app, deps);
  registerCustomerActions(app, deps);
  registerEvents(app, deps);
  registerShortcuts(app, deps);
  registerTimes(app, deps);
}

export type { SlackListenerDeps } from './context.ts';
