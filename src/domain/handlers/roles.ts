/** Who is in the incident: its channel, the people who join it and the roles they hold. */
import { isRole } from '../commands.ts';
import { domainError } from '../errors.ts';
import type { HandlerGroup } from './context.ts';

export const roleHandlers: HandlerGroup<'assign_role' | 'member_joined' | 'record_channel'> = {
  assign_role(command, state, step) {
    const role = command.role.trim().toLowerCase().replace(/[-\s]/g, '_');
    if (!isRole(role)) return domainError('role.unknown', { given: command.role });
    // Only people in the channel can hold a role: they must see what they are asked to do.
    if (!state.members.includes(command.userId)) return domainError('role.not_member', { userId: command.userId });
    if (state.roles[role] === command.userId) return undefined;
    const previous = state.roles[role];
    const names = step.env.names ?? {};
    step.emit('role_assigned', {
      role, userId: command.userId, ...(previous ? { previous } : {}),
      ...(names[command.userId] ? { userName: names[command.userId] } : {}),
    });
    step.fx({ kind: 'slack.refresh_slot', slot: 'summary' });
    if (role === 'commander') step.fx({ kind: 'slack.set_topic' });
    return undefined;
  },

  member_joined(command, state, step) {
    const name = step.env.names?.[command.userId];
    if (!state.members.includes(command.userId)) step.emit('member_joined', { userId: command.userId, ...(name ? { name } : {}) });
    return undefined;
  },

  record_channel(command, state, step) {
    if (state.channelId !== command.channelId) step.emit('channel_created', { channelId: command.channelId, channelName: command.channelName });
    return undefined;
  },
};
