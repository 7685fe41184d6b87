/**
 * Ids that cannot be swapped. Each is a plain string at run time; at compile
 * time it carries a brand, so passing a Slack channel where a Slack user
 * belongs (or a PagerDuty incident where a Kranz incident belongs) does not
 * compile. Ids get their brand where they enter: the Slack and PagerDuty
 * adapters, the configuration loader, the database adapter.
 */
declare const brand: unique symbol;
type Branded<B extends string> = string & { readonly [brand]: B };

/** A Kranz incident's UUID. */
export type IncidentId = Branded<'IncidentId'>;
/** A Slack user (`U…`, `W…` on Enterprise Grid). */
export type SlackUserId = Branded<'SlackUserId'>;
/** A Slack user group (`S…`), as `usergroups.users.list` takes it. */
export type SlackUserGroupId = Branded<'SlackUserGroupId'>;
/** A Slack conversation: public or private channel (`C…`, `G…`). */
export type SlackChannelId = Branded<'SlackChannelId'>;
/** A PagerDuty incident (`PT4KHLK`, `Q2K9ZL4RTS`). */
export type PdIncidentId = Branded<'PagerDutyIncidentId'>;
/** A PagerDuty service (`PSVC123`). */
export type PdServiceId = Branded<'PagerDutyServiceId'>;

export const asIncidentId = (id: string): IncidentId => id as IncidentId;
export const asSlackUserId = (id: string): SlackUserId => id as SlackUserId;
export const asSlackUserGroupId = (id: string): SlackUserGroupId => id as SlackUserGroupId;
export const asSlackChannelId = (id: string): SlackChannelId => id as SlackChannelId;
export const asPdIncidentId = (id: string): PdIncidentId => id as PdIncidentId;
export const asPdServiceId = (id: string): PdServiceId => id as PdServiceId;
