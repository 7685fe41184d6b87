-- Side effects waiting to be delivered (Slack posts, PagerDuty calls).
-- Written in the same transaction as the events that cause them.
create table outbox (
  id bigserial primary key,
  incident_id uuid references incidents (id),
  target text not null,
  -- Rows with the same order_key are delivered one at a time, in id order.
  order_key text not null,
  op text not null,
  payload jsonb not null,
  idempotency_key text not null unique,
  status text not null default 'pending' check (status in ('pending', 'delivered', 'dead')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  lease_until timestamptz,
  leased_by text,
  last_error text,
  result jsonb,
  created_at timestamptz not null default now(),
  delivered_at timestamptz
);
create index outbox_pending_idx on outbox (order_key, id) where status = 'pending';
create index outbox_due_idx on outbox (next_attempt_at) where status = 'pending';

-- Slack messages Kranz keeps up to date in place (summary, checklist).
create table slack_slots (
  incident_id uuid not null references incidents (id),
  slot text not null,
  channel_id text not null,
  ts text not null,
  primary key (incident_id, slot)
);

-- Every message of an incident channel, as the channel log.
create table slack_messages (
  channel_id text not null,
  ts text not null,
  incident_id uuid references incidents (id),
  user_id text,
  text text not null,
  thread_ts text,
  deleted boolean not null default false,
  history jsonb not null default '[]',
  created_at timestamptz not null default now(),
  primary key (channel_id, ts)
);

-- Reports drafted at close (and re-drafts).
create table reports (
  id bigserial primary key,
  incident_id uuid not null references incidents (id),
  markdown text not null,
  sha256 text not null,
  created_at timestamptz not null default now()
);
