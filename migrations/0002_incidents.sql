-- Incidents: an append-only event log and the projection of its current state.

create sequence incident_number_seq start 1;

-- The projection. `state` is the domain's IncidentState; the columns beside it
-- are what queries filter on. Updated in the same transaction as the events.
create table incidents (
  id uuid primary key,
  number integer not null unique,
  title text not null,
  severity text not null,
  status text not null,
  private boolean not null default false,
  channel_id text unique,
  state jsonb not null,
  version integer not null,
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create index incidents_open_idx on incidents (status) where status <> 'closed';

create table incident_events (
  seq bigserial primary key,
  id uuid not null unique,
  incident_id uuid not null references incidents (id),
  type text not null,
  occurred_at timestamptz not null,
  recorded_at timestamptz not null,
  actor jsonb not null,
  source jsonb not null,
  idempotency_key text not null unique,
  data jsonb not null
);
create index incident_events_incident_idx on incident_events (incident_id, seq);

-- The log is append-only: history is corrected by new events, never rewritten.
create function kranz_reject_event_change() returns trigger language plpgsql as $$
begin
  raise exception 'incident_events is append-only (% refused)', tg_op using errcode = 'P0001';
end $$;
create trigger incident_events_append_only
  before update or delete on incident_events
  for each row execute function kranz_reject_event_change();

-- A command applied once: retries and double clicks find their key here.
create table command_keys (
  key text primary key,
  incident_id uuid,
  created_at timestamptz not null default now()
);

-- One Kranz incident per PagerDuty incident, whatever the number of deliveries or replicas.
create table pagerduty_links (
  pd_incident_id text primary key,
  incident_id uuid not null references incidents (id),
  created_at timestamptz not null default now()
);
