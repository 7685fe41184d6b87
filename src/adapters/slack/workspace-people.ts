/**
 * The Slack side of inviting the on-call: each email looked up with
 * `users.lookupByEmail`, then one `conversations.invite` for everyone found
 * who is not a member Kranz knows of already.
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
    async inviteByEmail(channelId: string, emails: readonly string[], known: readonly string[] = []): Promise<InviteOutcome> {
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
        // Members Kranz knows of are not asked for again; Slack answers for the ones it does not know of yet.
        const alreadyIn = users.filter((u) => known.includes(u));
        const ask = users.filter((u) => !known.includes(u));
        const answer = ask.length ? await invite(slack, channelId, ask) : { refused: [], alreadyIn: [] };
        const notInvited = new Set([...answer.refused.map((r) => r.user), ...answer.alreadyIn]);
        return { ok: true, invited: ask.filter((u) => !notInvited.has(u)), alreadyIn: [...alreadyIn, ...answer.alreadyIn], notInSlack, refused: answer.refused };
      } catch (e) {
        return toDeliveryOutcome(e);
      }
    },
  };
}

/**
 * Invites `users`; returns those Slack would not add (with its reason) and
 * those who were in the channel already (someone who joined on their own
 * first). Without `force`, one invitee already in the channel fails the whole
 * call and nobody else gets in; with it Slack adds the others and lists the
 * rest in `errors`.
 */
async function invite(slack: WebClient, channel: string, users: string[]): Promise<{ refused: { user: string; error: string }[]; alreadyIn: string[] }> {
  const notAdded = (errors: unknown) => {
    const all = (Array.isArray(errors) ? (errors as { user?: unknown; error?: unknown }[]) : [])
      .map((x) => ({ user: String(x.user ?? ''), error: String(x.error ?? '') }));
    // Already in the channel is what an invite is for.
    return { refused: all.filter((x) => x.error !== 'already_in_channel'), alreadyIn: all.filter((x) => x.error === 'already_in_channel').map((x) => x.user) };
  };
  try {
    const r = await slack.conversations.invite({ channel, users: users.join(','), force: true });
    return notAdded((r as { errors?: unknown }).errors);
  } catch (e) {
    // With `force`, Slack still fails the call when it could add nobody. Per-user
    // errors (already in, deactivated, cannot be invited) will not change on a retry.
    const errors = (e as { data?: { errors?: unknown } }).data?.errors;
    if (Array.isArray(errors)) return notAdded(errors);
    // Slack added nobody because they are in already, without naming each (as for a single invitee).
    if (slackErrorCode(e) === 'already_in_channel') return { refused: [], alreadyIn: users };
    throw e;
  }
}
