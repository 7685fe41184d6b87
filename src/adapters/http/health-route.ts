/**
 * `GET /healthz` for anonymous callers (load balancers, uptime probes,
 * anyone on the network). The real check writes to the database, so it runs
 * at most once per `cacheMs` and every caller in that window shares the
 * result (and an in-flight check): a probe storm costs one write, not one
 * per request. The public body names the check that failed and a fixed
 * sentence; hosts, ports, user names and the database's own words go to the
 * log only.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Throttle } from '../../lib/throttle.ts';

/** The check that failed, by the `KRANZ_*` code of the database health check. */
const CHECKS: Record<string, { check: string; reason: string }> = {
  KRANZ_DB_UNREACHABLE: { check: 'database_connection', reason: 'Kranz cannot reach its database.' },
  KRANZ_DB_TIMEOUT: { check: 'database_connection', reason: 'The database did not answer the health check in time.' },
  KRANZ_DB_READ_ONLY: { check: 'database_write', reason: 'The database refuses writes (read-only or a standby).' },
  KRANZ_DB_PERMISSION_DENIED: { check: 'database_write', reason: "The database user may not write Kranz's tables." },
  KRANZ_DB_INCONSISTENT: { check: 'database_write', reason: 'A heartbeat written to the database did not read back.' },
  KRANZ_DB_UNHEALTHY: { check: 'database_write', reason: 'The database refused the health check write.' },
  KRANZ_DB_SCHEMA_MISSING: { check: 'database_schema', reason: "Kranz's tables are missing." },
  KRANZ_DB_MIGRATIONS_PENDING: { check: 'database_schema', reason: 'Database migrations are not applied.' },
  KRANZ_INSTALLATION_MISSING: { check: 'installation', reason: 'The database carries no Kranz installation record.' },
  KRANZ_INSTALLATION_MISMATCH: { check: 'installation', reason: 'The database belongs to another Kranz installation.' },
};
const OTHER = { check: 'database', reason: 'The database health check failed.' };

/** A health check's outcome (the database adapter's check returns one): `code` picks the public reason. */
export type DatabaseHealth = { ok: true } | { ok: false; reason: string; code: string };

export interface HealthRouteOptions {
  check(): Promise<DatabaseHealth>;
  installationId: string;
  /** How long one check's result is shared. Default 2 000 ms. */
  cacheMs?: number;
  log: { warn(o: object, m?: string): void; info(o: object, m?: string): void };
  now?: () => number;
}

/** The public answer to a health result: what failed, never where or who. */
export function publicHealth(h: DatabaseHealth, installationId: string): { status: number; body: Record<string, string> } {
  if (h.ok) return { status: 200, body: { status: 'ok', installationId } };
  const c = CHECKS[h.code] ?? OTHER;
  return { status: 503, body: { status: 'unavailable', check: c.check, code: h.code, reason: `${c.reason} Details are in Kranz's log.` } };
}

export function healthRoute(o: HealthRouteOptions) {
  const cacheMs = o.cacheMs ?? 2_000;
  const now = o.now ?? Date.now;
  let cached: { at: number; result: DatabaseHealth } | undefined;
  let inflight: Promise<DatabaseHealth> | undefined;
  let wasOk = true;
  const warnings = new Throttle(60_000, now);

  const run = async (): Promise<DatabaseHealth> => {
    const result = await o.check();
    cached = { at: now(), result };
    if (!result.ok) {
      wasOk = false;
      warnings.hit(result.code, (suppressed) => o.log.warn({ code: result.code, reason: result.reason, ...(suppressed ? { failedChecksSinceLastWarning: suppressed } : {}) }, 'health check failed'));
    } else if (!wasOk) {
      wasOk = true;
      o.log.info({}, 'health check passes again');
    }
    return result;
  };

  const current = (): Promise<DatabaseHealth> => {
    if (cached && now() - cached.at < cacheMs) return Promise.resolve(cached.result);
    inflight ??= run().finally(() => {
      inflight = undefined;
    });
    return inflight;
  };

  return async (_req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const { status, body } = publicHealth(await current(), o.installationId);
    if (res.headersSent) return;
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };
}
