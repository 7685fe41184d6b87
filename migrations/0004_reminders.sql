-- Reminders: one row per reminder an incident has (status update due, customer
-- call overdue, …), kept in step with the incident's state by the command path
-- (same transaction as the events). Senders on any number of replicas claim
-- due rows with FOR UPDATE SKIP LOCKED, so each step goes out once.
create table reminders (
  incident_id uuid not null references incidents (id),
  kind text not null,
  -- Tells apart reminders of one kind (a checklist item id), else ''.
  subject text not null default '',
  -- When the thing reminded about is due, as planned from the incident's state.
  -- A new plan with a different time restarts the reminder at level 1.
  planned_at timestamptz not null,
  -- When the next step fires: planned_at at first, then each escalation step
  -- (or the end of quiet hours). Null once a one-shot reminder has gone out.
  due_at timestamptz,
  -- The escalation level the next step sends (1 channel, 2 DM commander, 3 escalation target).
  level integer not null default 1 check (level between 1 and 3),
  -- Snoozed (`/incident snooze 30m`): not sent before this.
  snoozed_until timestamptz,
  last_sent_at timestamptz,
  sent_count integer not null default 0,
  updated_at timestamptz not null,
  primary key (incident_id, kind, subject)
);
-- The senders' scan: due rows in due order.
create index reminders_due_idx on reminders (due_at) where due_at is not null;

-- Scheduler ticks claimed across replicas: a guarded upsert moves last_tick
-- forward only, so exactly one replica wins each tick (its housekeeping runs once).
create table scheduler_ticks (
  name text primary key,
  last_tick timestamptz not null
);
