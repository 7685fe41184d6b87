/** What every Slack listener gets, and the helpers they share. */
import type { CommandOutcome, CommandMeta } from '../../../app/apply-command.ts';
import type { AppDeps } from '../../../app/ports.ts';
import { asSlackChannelId, asSlackUserId, type SlackChannelId } from '../../../domain/ids.ts';
import { errorText } from '../strings/errors.ts';
import { REPLIES } from '../strings/replies.ts';
import type { Mrkdwn } from '../mrkdwn.ts';

export interface Logger {
  info(o: unknown, msg?: string): void;
  warn(o: unknown, msg?: string): void;
  error(o: unknown, msg?: string): void;
  debug(o: unknown, msg?: string): void;
}

export interface SlackListenerDeps {
  app: AppDeps;
  log: Logger;
  /** False when no reminder scheduler runs here: a snooze would hold nothing. */
  remindersRunning?: boolean;
}

/**
 * Slack payloads carry the user's handle; the report shows it beside the id.
 * The ids are Slack's, as the payload gives them: this is where they get their brand.
 */
export const userMeta = (userId: string, channelId: string | undefined, key: string, name?: string): CommandMeta => ({
  actor: { kind: 'user', userId: asSlackUserId(userId), ...(name ? { name } : {}) },
  source: { kind: 'slack', ...(channelId ? { channelId: asSlackChannelId(channelId) } : {}) },
  idempotencyKey: key,
});

/** The one line a responder sees after a command. */
export function outcomeText(o: CommandOutcome, success: Mrkdwn): Mrkdwn {
  if (!o.ok) return REPLIES.warning(errorText(o.error));
  if (o.duplicate) return REPLIES.duplicate(success);
  return success;
}
