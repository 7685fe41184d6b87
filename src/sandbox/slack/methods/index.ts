/**
 * Every Web API method the stand-in serves, by name.
 */
import { authUsersMethods } from './auth-users.ts';
import { canvasesMethods } from './canvases.ts';
import { chatMethods } from './chat.ts';
import { conversationsManageMethods } from './conversations-manage.ts';
import { conversationsReadMethods } from './conversations-read.ts';
import { filesMethods } from './files.ts';
import { pinsReactionsMethods } from './pins-reactions.ts';
import { userGroupsMethods } from './usergroups.ts';
import { viewsMethods } from './views.ts';
import type { MethodHandler } from './context.ts';

/** Method name → handler. */
export const METHODS: Readonly<Record<string, MethodHandler>> = {
  ...authUsersMethods,
  ...conversationsManageMethods,
  ...conversationsReadMethods,
  ...chatMethods,
  ...pinsReactionsMethods,
  ...viewsMethods,
  ...canvasesMethods,
  ...filesMethods,
  ...userGroupsMethods,
};

/** Names of the methods the stand-in implements, sorted. */
export function implementedMethods(): string[] {
  return Object.keys(METHODS).sort();
}

export type { MethodContext, MethodHandler } from './context.ts';
