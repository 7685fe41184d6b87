/** What `/incident times` and its form say. */
import { joinMd, md, type Mrkdwn } from '../mrkdwn.ts';

export const TIMES_REPLIES = {
  unreadable: md`:warning: The form could not be read back; run \`/incident times\` again.`,
  nothingChanged: md`No time changed, so nothing was recorded.`,
  /** Inline field errors are plain text (Slack shows them under the field). */
  unreadableTime: (given: string, zone: string): string => `"${given}" is not a time: use HH:MM or YYYY-MM-DD HH:MM (${zone}).`,
  inFuture: (given: string): string => `${given} is in the future; a key time is something that has happened.`,
  corrected(done: readonly { label: string; text: string; was?: string }[], refused: readonly string[]): Mrkdwn {
    const lines = done.map((d) => md`• ${d.label}: ${d.text}${d.was ? md` (was ${d.was})` : md``}`);
    const head = done.length ? md`Corrected, each on the timeline with your name; the report uses them from now on:\n${joinMd(lines, md`\n`)}` : md``;
    const no = refused.length ? md`${done.length ? md`\n` : md``}:warning: Not recorded: ${refused.join('; ')}` : md``;
    return md`${head}${no}`;
  },
};
