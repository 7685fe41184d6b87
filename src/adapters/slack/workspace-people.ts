/**
 * The Slack side of inviting the on-call: each email looked up with
 * `users.lookupByEmail`, then one `conversations.invite` for everyone found.
 * The PagerDuty target calls it through the app's `WorkspacePeople` port.
 */
import type { WebClient } from '@slack/web-api';
import type { WorkspacePeople, InviteOutcome } from '../../app/deliver-outbox.ts';
import { slackErrorCode, toDeliveryOutcome } from './errors.ts';

export function slackWorkspacePeople(slack: WebClient): WorkspacePeople {
  return {
    async emailOf(userId: string) {
      try {
        const email = (await slack.users.info({ user: userId })).user?.profile?.email;
        return { ok: true as const, ...(email ? { email } : {}) };
      } catch (e) {
        return toDeliveryOutcome(e);
      }
    },
    async inviteByEmail(channelId: string, emails: readonly string[]): Promise<InviteOutcome> {
      const users: string[] = [];
      const notInSlack: string[] = [];
      try {
        for (const email of emails) {
          const u = await slack.users.lookupByEmail({ email }).catch((e: unknown) => {
            if (slackErrorCode(e) === 'users_not_found') return undefined;
            throw e;
          });
          if (u?.user?.id) users.push(u.user.id);
          else notInSlack.push(email);
        }
        const refused = users.length ? await invite(slack, channelId, users) : [];
        return { ok: true, invited: users.filter((u) => !refused.some((r) => r.user === u)), notInSlack, refused };
      } catch (e) {
        return toDeliveryOutcome(e);
      }
    },
  };
}

/**
 * Invites `users` and returns those Slack would not add (and who are not in
 * the channel). Without `force`, one invitee already in the channel (someone
 * who joined on their own first) fails the whole call and nobody else gets
 * in; with it Slack adds the others and lists the rest in `errors`.
 */
async function invite(slack: WebClient, channel: string, users: string[]): Promise<{ user: string; error: string }[]> {
  const notAdded = (errors: unknown): { user: string; error: string }[] =>
    (Array.isArray(errors) ? (errors as { user?: unknown; error?: unknown }[]) : [])
      .map((x) => ({ user: String(x.user ?? ''), error: String(x.error ?? '') }))
      // Already in the channel is what an invite is for.
      .filter((x) => x.error !== 'already_in_channel');
  try {
    const r = await slack.conversations.invite({ channel, users: users.join(','), force: true });
    return notAdded((r as { errors?: unknown }).errors);
  } catch (e) {
    // With `force`, Slack still fails the call when it could add nobody. Per-user
    // errors (already in, deactivated, cannot be invited) will not change on a retry.
    const errors = (e as { data?: { errors?: unknown } }).data?.errors;
    if (slackErrorCode(e) === 'already_in_channel' || Array.isArray(errors)) return notAdded(errors);
    throw e;
  }
}
