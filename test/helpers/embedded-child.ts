/**
 * Child process for the kill -9 test: starts the embedded PostgreSQL for the
 * data dir in argv[2], prints `{"url": ...}` on one line, then idles until
 * killed. Run with `node --import tsx`.
 */
import { startEmbeddedPostgres } from '../../src/adapters/db/embedded.ts';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: embedded-child.ts <dataDir>');
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const server = await startEmbeddedPostgres({ dataDir, log: quiet });
process.stdout.write(`${JSON.stringify({ url: server.url, pid: process.pid })}\n`);
setInterval(() => {}, 60_000);
