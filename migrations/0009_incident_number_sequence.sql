-- Back to a sequence for incident numbers (0008 made them a counter row).
-- The counter kept numbers without gaps, but every declare waited for the one
-- before it to commit: fifty PagerDuty triggers at once opened one after
-- another. A declare the domain refuses is now checked before it takes a
-- number, so a number is lost only when a declare's process dies, or its
-- transaction fails, between taking the number and committing.
create sequence incident_number_seq;
select setval('incident_number_seq',
  greatest((select last_number from incident_counter), (select coalesce(max(number), 0) from incidents)) + 1, false);
drop table incident_counter;
