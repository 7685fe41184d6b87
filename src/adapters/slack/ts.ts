/** Slack message timestamps (`ts`): seconds since the epoch, with microseconds after the dot. */
export const slackTsToDate = (ts: string): Date => new Date(Math.round(Number(ts) * 1000));
