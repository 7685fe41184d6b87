/**
 * Baseline for the webhook bench: a bare `node:http` server that reads the
 * body and does one `pg` insert per request into a table shaped like
 * `inbound_archive` (the same statement Kranz's archive uses), then answers
 * 202. No signature check, no parsing, no logging, no applying.
 * Env: PORT, DATABASE_URL, POOL_MAX (default 10, Kranz's pool size).
 */
import { createServer } from 'node:http';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env['DATABASE_URL'], max: Number(process.env['POOL_MAX'] ?? 10) });
await pool.query('create table if not exists bench_inbound (like inbound_archive including all)');

let seq = 0;
const server = createServer((req, res) => {
  if (req.method === 'GET') {
    res.writeHead(200).end('ok');
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    pool.query(
      `insert into bench_inbound (source, dedupe_key, order_key, received_at, headers, body)
       values ($1, $2, $3, $4::timestamptz, $5::jsonb, $6) on conflict (dedupe_key) do nothing returning id`,
      ['pagerduty', `bare:${process.pid}:${seq++}`, null, new Date().toISOString(), JSON.stringify({ 'x-webhook-id': String(req.headers['x-webhook-id'] ?? '') }), body],
    ).then(
      () => {
        res.writeHead(202, { 'content-type': 'application/json' });
        res.end('{"status":"stored"}');
      },
      (e: unknown) => {
        res.writeHead(500);
        res.end(String(e));
      },
    );
  });
});
server.listen(Number(process.env['PORT']), '127.0.0.1');
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  pool.end().then(() => process.exit(0), () => process.exit(1));
});
