/**
 * usergroups.users.list: the members of a user group (`S…`), as Slack answers
 * it (`{ ok, users: ["U…", …] }`, see the documented example in
 * test/fixtures/slack/usergroups). Kranz expands `permissions.admins` with it.
 */
import { SlackMethodError, bool, str } from '../validation.ts';
import type { MethodHandler } from './context.ts';

const usersList: MethodHandler = (ctx, args) => {
  const g = ctx.ws.userGroups.get(str(args, 'usergroup') ?? '');
  if (!g) throw new SlackMethodError('no_such_subteam');
  // A disabled group keeps its members, but Slack leaves them out unless asked.
  if (g.disabled && !bool(args, 'include_disabled')) return { users: [] };
  return { users: g.users.filter((u) => !ctx.ws.users.get(u)?.deleted) };
};

/** Handlers by method name. */
export const userGroupsMethods: Record<string, MethodHandler> = {
  'usergroups.users.list': usersList,
};
