/**
 * Appends events to an incident's log as they are, with the projection they
 * make, in one transaction (a live page's poll sees all of them or none):
 * the log as it stands, whatever wrote it (such as a message flagged again
 * after its deletion), for tests of how a surface reads it.
 */
import type { IncidentEvent } from '../../src/domain/events.ts';
import { asIncidentId, asSlackUserId } from '../../src/domain/ids.ts';
import { applyEvent } from '../../src/domain/incident.ts';
import { USERS, type Harness } from './kranz-harness.ts';

/** An event as it stands in the log, without its envelope. */
export type LoggedEvent = IncidentEvent extends infer E ? (E extends IncidentEvent ? Pick<E, 'type' | 'data'> : never) : never;

/** Appends `items` to INC-`number`'s log, by Dana from Slack, and saves the projection. */
export async function appendToLog(h: Harness, number: number, ...items: LoggedEvent[]): Promise<void> {
  const { store, newId } = h.kranz.deps;
  await store.transaction(async (uow) => {
    const id = await uow.incidents.findIncidentIdByNumber(number);
    let state = id ? await uow.incidents.lockIncident(id) : undefined;
    if (!id || !state) throw new Error(`no INC-${number}`);
    const now = new Date();
    const events = items.map((item) => ({
      ...item, id: newId(), incidentId: asIncidentId(id), occurredAt: now.toISOString(), recordedAt: now.toISOString(),
      actor: { kind: 'user', userId: asSlackUserId(USERS.dana.id) }, source: { kind: 'slack' }, idempotencyKey: `test:logged:${newId()}`,
    }) as IncidentEvent);
    for (const e of events) state = applyEvent(state, e);
    await uow.events.appendEvents(events);
    await uow.incidents.saveIncident(state, now);
  });
}
