-- Kranz's own bookkeeping. `kranz_migrations` is created by the migration
-- runner itself (it has to exist before any migration can be recorded).

-- Which installation this database belongs to. Exactly one row: the singleton
-- column is unique and can only be true. Every Kranz process compares this id
-- with <dataDir>/installation.json at start, so a server pointed at the wrong
-- (or a new, empty) database refuses to run instead of answering with nothing.
create table kranz_installation (
  id uuid primary key,
  created_at timestamptz not null default now(),
  singleton boolean not null unique default true check (singleton)
);

insert into kranz_installation (id) values (gen_random_uuid());

-- The health check's heartbeat: each check upserts a row and reads it back,
-- which proves the database takes writes (not read-only, not a standby, grants
-- intact), not just that it answers SELECT 1.
create table kranz_health (
  id integer primary key,
  beat timestamptz not null,
  by text not null
);
