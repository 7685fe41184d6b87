/**
 * Run by client-traps.test.ts in a child process: one client call against the
 * given URL, result on stdout. It deliberately does not call process.exit, so
 * the parent can see whether anything keeps the event loop alive afterwards.
 */
import { PagerDutyClient } from '../../../src/adapters/pagerduty/client.ts';

const [apiUrl = '', timeoutMs = '300'] = process.argv.slice(2);
const client = new PagerDutyClient({ apiUrl, token: 'child-token', from: 'child@example.com', timeoutMs: Number(timeoutMs) });
const started = performance.now();
const result = await client.getIncident('PCHILD1');
process.stdout.write(JSON.stringify({ result, elapsedMs: Math.round(performance.now() - started) }));
