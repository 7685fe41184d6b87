-- PagerDuty incidents whose trigger Kranz deliberately ignored (their service
-- does not auto-open, or is not configured). Later events of such an incident
-- are settled at once instead of being retried as if their trigger were late.
create table pagerduty_ignored (
  pd_incident_id text primary key,
  reason text not null,
  created_at timestamptz not null default now()
);
