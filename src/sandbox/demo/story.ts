/**
 * The demo's incident, minute by minute (simulated): the database cluster's
 * primary fails at 14:00 Berlin time, PagerDuty pages, Kranz opens the
 * incident, the commander calls Acme's main contact first, updates go out on
 * cadence until one is late and Kranz reminds, PagerDuty's resolve marks the
 * service restored at T+26, the commander corrects the impact start to 13:57,
 * and at T+28 it is resolved, closed and both reports drafted. Each update
 * is also published to the shop's status page and emailed to Acme's contact
 * after Mara reviews it and ticks "Publish"; resolving resolves the page.
 */
import { PAGERDUTY, PEOPLE } from './cast.ts';
import type { StoryDriver } from './driver.ts';
import type { LiveLog } from './live-log.ts';

/** What the rest of the demo needs to know about how the story went. */
export interface StoryOutcome {
  /** The incident channel Kranz opened. */
  channelId: string;
}

/** The 📌-reacted message; the test looks for it in the report's timeline. */
export const PINNED_MESSAGE = 'db-2 promoted to primary at 14:12; replaying 38 s of WAL before we reopen writes';

const mara = PEOPLE.mara;
const leo = PEOPLE.leo;
const priya = PEOPLE.priya;
const agent = (p: { real_name: string }, id: string) => ({ agent: { id, summary: p.real_name } });

/** Plays the story; throws as soon as Kranz does not do what the story needs. */
export async function playStory(s: StoryDriver, log: LiveLog, findChannel: () => string | undefined): Promise<StoryOutcome> {
  // T+0: the alert fires. PagerDuty opens its incident and sends the webhook.
  await s.at(0);
  s.openPagerDutyIncident();
  log.because(`PagerDuty #${PAGERDUTY.incident.number} triggered on ${PAGERDUTY.serviceName}, an auto-open service; P1 means SEV1`);
  await s.webhook('incident.triggered', `incident.triggered #${PAGERDUTY.incident.number} "${PAGERDUTY.incident.title}" (P1) on ${PAGERDUTY.serviceName}`, { agent: null });
  const channelId = findChannel();
  if (!channelId) throw new Error('Kranz did not open an incident channel for the PagerDuty trigger');
  s.channelId = channelId;

  // T+1: the on-call engineer Kranz invited takes command.
  await s.at(1);
  log.because('Mara took command');
  await s.command({ ...mara, role: 'on-call' }, `role commander <@${mara.id}|${mara.name}>`);

  // T+2: she acknowledges the page in PagerDuty.
  await s.at(2);
  s.setPagerDutyStatus('acknowledged');
  log.because('PagerDuty reported the acknowledgement');
  await s.webhook('incident.acknowledged', `incident.acknowledged by ${mara.real_name}`, agent(mara, PAGERDUTY.users.mara));

  // T+4: the customer's main contact is called before anything else.
  await s.at(4);
  log.because("Mara logged the call to Acme's main contact");
  await s.command(mara, 'customer-contacted Called Jane Doe at Acme: order writes fail since 14:00; she confirmed checkout errors and agreed to updates in #acme-shared');

  // T+7: the first status update, relayed to Acme and the stakeholders.
  await s.at(7);
  log.because('Mara posted the first status update');
  // Acme's shoppers read the status page and their email: Mara names the incident for them and publishes.
  await s.statusUpdate(mara, 'investigating', 'Our primary database node is unreachable, so orders cannot be saved. We are failing over to a replica.', '10m', {
    title: 'Orders cannot be placed', impact: { checkout: 'major_outage', search: 'none' }, publish: true,
  });

  // T+9: customer success joins and takes the customer liaison role.
  await s.at(9);
  log.because('Priya joined the incident channel');
  await s.join(priya);
  log.because('Priya is now the customer liaison');
  await s.command(mara, `role customer-liaison <@${priya.id}|${priya.name}>`);

  // T+11: the database on-call writes a note in PagerDuty.
  await s.at(11);
  log.because('a note was added in PagerDuty');
  await s.webhook('incident.annotated', `incident.annotated by ${leo.real_name}: "Failover to db-2 started"`, {
    ...agent(leo, PAGERDUTY.users.leo), note: { content: 'Failover to db-2 started; replication lag 38 s' },
  });

  // T+13: a message worth keeping goes on the timeline with a 📌.
  await s.at(13);
  log.because('Leo posted in the channel');
  const ts = await s.say(leo, PINNED_MESSAGE);
  log.because("Mara 📌-reacted Leo's message");
  await s.pin(mara, ts, 'Leo');

  // T+16: the second update, on cadence, promising the next one in 5 minutes.
  await s.at(16);
  log.because('Mara posted a status update');
  await s.statusUpdate(mara, 'identified', 'db-2 is the new primary and orders are being saved again. We are replaying the orders of 14:00 to 14:12.', '5m', {
    impact: { checkout: 'partial_outage', search: 'none' }, publish: true,
  });

  // T+18: a note for the record.
  await s.at(18);
  log.because('Mara added a note');
  await s.command(mara, 'note Acme confirms checkout works again; 12 of their orders from 14:00 to 14:12 are queued for replay');

  // T+23: the update promised for T+21 has not come. Kranz's reminder scheduler notices by itself.
  await s.at(23);
  log.because('the status update promised for 14:21 is late; the reminder scheduler noticed');
  log.plain('            … nobody posts the update promised for 14:21; Kranz\'s reminder scheduler is watching the clock …');
  await s.messageIn((t) => /Status update (overdue|due now)/.test(t), 'the overdue status update reminder');
  await s.settle();

  // T+24: the commander posts the late update.
  await s.at(24);
  log.because('Mara posted the late status update');
  await s.statusUpdate(mara, 'monitoring', 'All writes are served by db-2 and the 12 delayed Acme orders were replayed. We are watching error rates.', '15m', {
    impact: { checkout: 'degraded_performance', search: 'none' }, publish: true,
  });

  // T+26: the service is back; the database on-call resolves the page in PagerDuty (its time is when service was restored).
  await s.at(26);
  s.setPagerDutyStatus('resolved');
  log.because('Leo resolved the page in PagerDuty');
  await s.webhook('incident.resolved', `incident.resolved by ${leo.real_name}`, agent(leo, PAGERDUTY.users.leo));
  // The first disk-full alerts were at 13:57, before the page: the commander corrects the impact start.
  log.because('Mara corrected the impact start: the disk-full alerts began at 13:57, before the page');
  await s.command(mara, 'times impact-started 13:57 Disk-full alerts on db-1 began at 13:57, three minutes before the page');

  // T+26: what the report needs: the root cause and what to change.
  log.because('Mara recorded the root cause');
  await s.command(mara, 'root-cause The disk of db-1 filled up: WAL archiving had failed silently since a credential rotation, so WAL piled up on the primary');
  log.because('Mara added a "prevent it" action');
  await s.command(mara, 'action prevent Alert when WAL archiving fails or pg_wal uses more than half of the disk');
  log.because('Mara added a "fail better" action');
  await s.command(mara, 'action fail-better Fail over to the replica automatically within 2 minutes, with a runbook for replaying orders');

  // T+28: resolved. T+29: closed, and the report drafted and posted.
  await s.at(28);
  log.because('Mara resolved the incident');
  await s.command(mara, 'resolve db-2 serves all traffic and the error rate is back to baseline');
  await s.at(29);
  log.because('Mara closed the incident');
  await s.command(mara, 'close');
  return { channelId };
}
