/**
 * auth.test, team.info and users.info/list/lookupByEmail.
 */
import { userJson } from '../serialize.ts';
import { SlackMethodError, paginate, str } from '../validation.ts';
import type { MethodHandler } from './context.ts';

const authTest: MethodHandler = (ctx) => ({
  url: `https://${ctx.config.teamDomain}.slack.com/`,
  team: ctx.config.teamName,
  user: ctx.config.botName,
  team_id: ctx.config.teamId,
  user_id: ctx.config.botUserId,
  bot_id: ctx.config.botId,
  is_enterprise_install: false,
});

const teamInfo: MethodHandler = (ctx, args) => {
  const team = str(args, 'team');
  if (team !== undefined && team !== '' && team !== ctx.config.teamId) throw new SlackMethodError('team_not_found');
  return {
    team: {
      id: ctx.config.teamId,
      name: ctx.config.teamName,
      url: `https://${ctx.config.teamDomain}.slack.com/`,
      domain: ctx.config.teamDomain,
      email_domain: '',
      icon: { image_default: true, image_34: 'https://a.slack-edge.com/dfc0/img/avatars-teams/ava_0001-34.png' },
      avatar_base_url: 'https://ca.slack-edge.com/',
      is_verified: false,
    },
  };
};

const usersInfo: MethodHandler = (ctx, args) => {
  const u = ctx.ws.users.get(str(args, 'user') ?? '');
  if (!u) throw new SlackMethodError('user_not_found');
  return { user: userJson(u) };
};

const usersList: MethodHandler = (ctx, args) => {
  const { page, nextCursor } = paginate([...ctx.ws.users.values()], args);
  return {
    members: page.map(userJson),
    cache_ts: ctx.ws.nowSec(),
    response_metadata: { next_cursor: nextCursor },
  };
};

const lookupByEmail: MethodHandler = (ctx, args) => {
  const u = ctx.ws.userByEmail(str(args, 'email') ?? '');
  if (!u || u.deleted) throw new SlackMethodError('users_not_found');
  return { user: userJson(u) };
};

/** Handlers by method name. */
export const authUsersMethods: Record<string, MethodHandler> = {
  'auth.test': authTest,
  'team.info': teamInfo,
  'users.info': usersInfo,
  'users.list': usersList,
  'users.lookupByEmail': lookupByEmail,
};
