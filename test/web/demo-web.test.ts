/**
 * The demo opens the web view: after the story, Kranz keeps running with the
 * local Slack's sign-in, and a demo person signs in and sees the incident,
 * its report and analytics.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoRuntime } from '../../src/cli/demo.ts';
import { runDemo, type DemoWebView } from '../../src/sandbox/demo/run-demo.ts';

async function signInAs(web: DemoWebView, userId: string): Promise<string> {
  const login = await fetch(`${web.url}/login`, { redirect: 'manual' });
  const loginCookie = login.headers.getSetCookie()[0]?.split(';')[0] ?? '';
  const authorize = new URL(login.headers.get('location') ?? '');
  expect(`${authorize.origin}${authorize.pathname}`).toBe(web.authorizeUrl);
  const form = new URLSearchParams(authorize.searchParams);
  form.set('user', userId);
  const chosen = await fetch(web.authorizeUrl, { method: 'POST', body: form, redirect: 'manual' });
  const back = await fetch(chosen.headers.get('location') ?? '', { headers: { cookie: loginCookie }, redirect: 'manual' });
  return back.headers.getSetCookie().find((c) => c.startsWith('kranz_session='))?.split(';')[0] ?? '';
}

describe('kranz demo with the web view', () => {
  it('keeps the web view open after the story, prints how to sign in, and serves the incident to a demo person', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kranz-demo-web-'));
    // Run as root, the embedded PostgreSQL (user "postgres") must be able to enter it.
    await chmod(dir, 0o711);
    const lines: string[] = [];
    const seen: Record<string, string> = {};
    try {
      const r = await runDemo({
        ...(await demoRuntime()),
        out: (l) => lines.push(l), dataDir: join(dir, 'data'), reportPath: join(dir, 'report.md'), speed: Infinity,
        keepOpen: async (web) => {
          const mara = web.people.find((p) => p.name === 'Mara Okafor');
          expect(mara).toBeDefined();
          const cookie = await signInAs(web, mara?.id ?? '');
          for (const path of ['/', '/incidents/1', '/incidents/1/report', '/analytics']) {
            const res = await fetch(`${web.url}${path}`, { headers: { cookie } });
            expect(res.status, path).toBe(200);
            seen[path] = await res.text();
          }
        },
      });
      expect(r.ok).toBe(true);
      const text = lines.join('\n');
      expect(text).toMatch(/The web view is open: http:\/\/127\.0\.0\.1:\d+\//);
      expect(text).toContain('choose Mara Okafor (commander), Leo Brandt (database on-call), Priya Shah (customer success)');
      expect(seen['/']).toContain('Signed in as Mara Okafor');
      expect(seen['/incidents/1']).toContain('INC-1: ');
      expect(seen['/incidents/1/report']).toContain('Resolution and recovery timeline');
      expect(seen['/analytics']).toContain('id="chart-sla"');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
