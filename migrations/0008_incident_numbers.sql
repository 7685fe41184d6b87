-- Incident numbers without gaps. A sequence hands out a number that a declare
-- rolled back (refused, or its process killed before the commit) never gives
-- back, so the next incident was INC-2 with no INC-1 anywhere. The last number
-- given is now a row the declare updates in its own transaction: a declare
-- that does not commit leaves it as it was. Declares wait for each other's
-- commit here, which is short, and they are rare.
create table incident_counter (
  only_row boolean primary key default true check (only_row),
  last_number integer not null
);
insert into incident_counter (last_number) select coalesce(max(number), 0) from incidents;
drop sequence incident_number_seq;
