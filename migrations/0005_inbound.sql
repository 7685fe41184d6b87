-- Every inbound request (Slack and PagerDuty), stored raw before it is
-- acknowledged, so an incident can be rebuilt from what came in and nothing
-- acknowledged is lost if the process dies before applying it.
create table inbound_archive (
  id bigserial primary key,
  source text not null check (source in ('slack', 'pagerduty')),
  -- Slack event_id / trigger_id, PagerDuty event id: redeliveries land here once.
  dedupe_key text not null unique,
  -- Rows sharing an order key are applied one at a time, in order (one PagerDuty incident).
  order_key text,
  received_at timestamptz not null,
  headers jsonb not null,
  body text not null,
  status text not null default 'received' check (status in ('received', 'processed', 'ignored', 'failed')),
  attempts integer not null default 0,
  lease_until timestamptz,
  processed_at timestamptz,
  note text
);
create index inbound_pending_idx on inbound_archive (order_key, id) where status = 'received';
