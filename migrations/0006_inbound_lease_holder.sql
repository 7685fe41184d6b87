-- Who leased an inbound request, as for outbox rows: a restarted process frees
-- the leases of its own previous incarnation at once instead of waiting them out.
alter table inbound_archive add column leased_by text;
