/**
 * The web view's pages and API over HTTP: the list with its filters and
 * clocks, the incident page, live updates over SSE, and who sees what: a
 * private incident leaves no trace for someone outside its channel.
 * Hostile titles and notes render as text everywhere.
 */
import { twoCustomerPolicy } from '../helpers/domain.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCommand } from '../../src/app/apply-command.ts';
import { USERS, outboxDrained } from '../helpers/kranz-harness.ts';
import { declare, get, signIn, startWebHarness, type WebHarness } from '../helpers/web.ts';
import { asSlackUserId } from '../../src/domain/ids.ts';

const XSS_TITLE = '<script>alert(1)</script>';
const XSS_NOTE = '<img src=x onerror=alert(2)> <b>bold</b> & "quoted"';
const SECRET_TITLE = 'Payroll export leaks salaries';

let h: WebHarness;
let dana: string; // commander of everything, member of every incident channel
let sam: string; // in the workspace, outside the private incident's channel
let pub: number;
let priv: number;
let xss: number;

async function note(n: number, text: string, user: string = USERS.dana.id): Promise<void> {
  const userId = asSlackUserId(user);
  const r = await applyCommand(h.kranz.deps, { number: n }, { type: 'add_note', text, via: 'command', authorId: userId }, { actor: { kind: 'user', userId }, source: { kind: 'slack' }, idempotencyKey: `test:note:${Math.random()}` });
  if (!r.ok) throw new Error(r.error.code);
  h.kranz.kick();
}

async function channelOf(n: number, cookie: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const r = await get(h, `/api/incidents/${n}`, cookie);
    const id = (JSON.parse(r.body) as { incident?: { channelId: string | null } }).incident?.channelId;
    if (id) return id;
    await new Promise((res) => setTimeout(res, 25));
  }
  throw new Error(`INC-${n} got no channel`);
}

beforeAll(async () => {
  // Two customers configured: incidents declared without one stay without one, so the customer filter counts only INC-1.
  h = await startWebHarness({ policy: twoCustomerPolicy });
  pub = await declare(h, { title: 'Checkout API returns 500s', severity: 'SEV1', customers: ['acme'] });
  priv = await declare(h, { title: SECRET_TITLE, severity: 'SEV2', private: true });
  xss = await declare(h, { title: XSS_TITLE, severity: 'SEV3', description: '<i>impact</i>' });
  await note(xss, XSS_NOTE);
  await outboxDrained(h);
  dana = await signIn(h, USERS.dana.id);
  sam = await signIn(h, USERS.sam.id);
  await channelOf(priv, dana);
});
afterAll(async () => h?.close());

describe('incident list', () => {
  it('shows incidents newest first with clocks, and filters by status, severity, customer, date and title', async () => {
    const r = await get(h, '/', dana);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-security-policy')).toContain("script-src 'self'");
    const order = [...r.body.matchAll(/<td><a href="\/incidents\/(\d+)">INC-/g)].map((m) => Number(m[1]));
    expect(order).toEqual([xss, priv, pub]);
    expect(r.body).toMatch(/open \d+s · <span class="late">no update posted yet<\/span> · <span class="late">customer not contacted<\/span>/);
    const sev1 = await get(h, '/?severity=SEV1', dana);
    expect(sev1.body).toContain('Checkout API returns 500s');
    expect(sev1.body).not.toContain(SECRET_TITLE);
    const acme = await get(h, '/?customer=acme', dana);
    expect(acme.body).toContain('1 incident.');
    const search = await get(h, '/?q=checkout', dana);
    expect(search.body).toContain('Checkout API returns 500s');
    expect(search.body).toContain('1 incident.');
    const none = await get(h, '/?status=closed', dana);
    expect(none.body).toContain('No incidents match.');
    const today = new Date().toISOString().slice(0, 10);
    expect((await get(h, `/?from=${today}&to=${today}`, dana)).body).toContain('3 incidents.');
    expect((await get(h, '/?to=2020-01-01', dana)).body).toContain('0 incidents.');
    const bad = await get(h, '/?from=yesterday&status=sleeping', dana);
    expect(bad.body).toContain('from: &quot;yesterday&quot; is not a date (use YYYY-MM-DD)');
    expect(bad.body).toContain('status: &quot;sleeping&quot; is not one of');
  });

  it('shows the private incident to a member of its channel only', async () => {
    expect((await get(h, '/', dana)).body).toContain(SECRET_TITLE);
    const forSam = await get(h, '/', sam);
    expect(forSam.body).not.toContain(SECRET_TITLE);
    expect(forSam.body).not.toContain(`/incidents/${priv}"`);
    expect(forSam.body).toContain('2 incidents.');
  });
});

describe('incident page', () => {
  it('shows header, checklist and timeline', async () => {
    const r = await get(h, `/incidents/${pub}`, dana);
    expect(r.status).toBe(200);
    expect(r.body).toContain(`INC-${pub}: Checkout API returns 500s`);
    expect(r.body).toContain('id="checklist"');
    expect(r.body).toContain('Call the customer&#39;s main contact (Acme Corp: Dana Reyes (+1 555 0100))');
    expect(r.body).toContain('commander: UDANA');
    expect(r.body).toMatch(/Declared SEV1: Checkout API returns 500s/);
    expect(r.body).toContain(`data-stream="/incidents/${pub}/live?after=`);
    expect(r.body).toContain(`href="/incidents/${pub}/report/acme"`);
  });

  it('streams new timeline entries over Server-Sent Events', async () => {
    const page = await get(h, `/incidents/${pub}`, dana);
    const stream = /data-stream="([^"]+)"/.exec(page.body)?.[1]?.replace(/&amp;/g, '&');
    expect(stream).toBeDefined();
    const ac = new AbortController();
    const res = await fetch(`${h.publicUrl}${stream}`, { headers: { cookie: dana }, signal: ac.signal });
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = res.body!.getReader();
    await note(pub, 'Rolled back deploy 4711 <script>x</script>');
    let text = '';
    const deadline = Date.now() + 10_000;
    while (!text.includes('Rolled back deploy') && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    ac.abort();
    expect(text).toMatch(/id: \d+\nevent: timeline\ndata: <li data-seq="\d+">/);
    expect(text).toContain('Note: Rolled back deploy 4711 &lt;script&gt;x&lt;/script&gt;');
  });

  it('gives a non-member no trace of a private incident: page, live stream, report and API answer as for no incident', async () => {
    const missing = await get(h, '/incidents/999999', sam);
    for (const path of [`/incidents/${priv}`, `/incidents/${priv}/report`, `/incidents/${priv}/live`]) {
      const r = await get(h, path, sam);
      expect(r.status, path).toBe(404);
      expect(r.body, path).not.toContain(SECRET_TITLE);
      expect(r.body.replace(`INC-${priv} `, 'INC-N '), path).toBe(missing.body.replace('INC-999999 ', 'INC-N '));
    }
    const api = await get(h, `/api/incidents/${priv}`, sam);
    expect(api.status).toBe(404);
    expect(api.body).not.toContain(SECRET_TITLE);
    const list = await get(h, `/api/incidents?q=${encodeURIComponent('Payroll')}`, sam);
    expect(JSON.parse(list.body)).toMatchObject({ total: 0, incidents: [] });
    const all = await get(h, '/api/incidents', sam);
    expect(all.body).not.toContain(SECRET_TITLE);
    expect((await get(h, `/incidents/${priv}`, dana)).body).toContain(SECRET_TITLE);
    expect(JSON.parse((await get(h, `/api/incidents?q=Payroll`, dana)).body)).toMatchObject({ total: 1 });
  });
});

describe('malformed addresses', () => {
  it('answers a malformed percent-encoding with 400 and the reason: a page for pages, JSON for the API', async () => {
    for (const path of [`/incidents/${pub}/report/%E0%A4`, `/incidents/${pub}/report/%`, '/analytics/%ZZ.csv']) {
      const r = await get(h, path, dana);
      expect(r.status, path).toBe(400);
      expect(r.headers.get('content-type'), path).toBe('text/html; charset=utf-8');
      expect(r.body, path).toContain('<h1>Bad request</h1>');
      expect(r.body, path).toContain('is not valid percent-encoding');
    }
    const api = await get(h, '/api/incidents/%E0%A4', dana);
    expect(api.status).toBe(400);
    expect(JSON.parse(api.body)).toMatchObject({ error: 'bad_request', reason: expect.stringContaining('is not valid percent-encoding') });
    // Well-formed encodings still reach the route.
    expect((await get(h, `/incidents/${pub}/report/%61cme`, dana)).status).toBe(200);
  });
});

describe('escaping', () => {
  it('renders a script title and HTML notes as text on the list, the incident page, the live stream, the report and the API', async () => {
    for (const path of ['/', `/?q=${encodeURIComponent('<script>')}`, `/incidents/${xss}`, `/incidents/${xss}/report`]) {
      const r = await get(h, path, dana);
      expect(r.status, path).toBe(200);
      expect(r.body, path).not.toContain('<script>alert(1)');
      expect(r.body, path).not.toContain('<img src=x');
      expect(r.body, path).not.toContain('<b>bold</b>');
      expect(r.body, path).not.toContain('<i>impact</i>');
    }
    const page = await get(h, `/incidents/${xss}`, dana);
    expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.body).toContain('Note: &lt;img src=x onerror=alert(2)&gt; &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot;');
    const report = await get(h, `/incidents/${xss}/report`, dana);
    expect(report.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    const api = JSON.parse((await get(h, `/api/incidents/${xss}`, dana)).body) as { incident: { title: string } };
    expect(api.incident.title).toBe(XSS_TITLE);
  });
});

describe('analytics', () => {
  it('draws charts as SVG and counts a private incident only for its channel\'s members', async () => {
    const forDana = await get(h, '/analytics', dana);
    expect(forDana.status).toBe(200);
    expect(forDana.body).toContain('3 incidents.');
    for (const id of ['chart-incidents', 'chart-times', 'chart-sla']) expect(forDana.body).toMatch(new RegExp(`<figure class="chart" id="${id}"><svg `));
    const forSam = await get(h, '/analytics', sam);
    expect(forSam.body).toContain('2 incidents.');
    expect(forSam.body).not.toContain(SECRET_TITLE);
    const sev2 = await get(h, '/analytics/severity.csv', sam);
    expect(sev2.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const rows = sev2.body.trim().split('\r\n');
    expect(rows[0]).toBe('severity,incidents,median time to acknowledge (min),median time to mitigate (min),median time to resolve (min),median time to first customer contact (min),update promises due,update promises kept');
    // The private incident is the only SEV2: Sam's table has no SEV2 row at all, Dana's has one.
    expect(rows.map((r) => r.split(',')[0])).toEqual(['severity', 'SEV1', 'SEV3']);
    expect((await get(h, '/analytics/severity.csv', dana)).body).toContain('\r\nSEV2,1,');
    const customers = await get(h, '/analytics/customer.csv?customer=acme', dana);
    expect(customers.body.split('\r\n')[1]).toMatch(/^acme,1,/);
    expect((await get(h, '/analytics/nope.csv', dana)).status).toBe(404);
  });

  it('refuses a CSV download with a bad filter (400 with the problems, as the API does) and answers an unknown analytics path with the not-found page', async () => {
    const bad = await get(h, '/analytics/month.csv?from=2026-13-01&status=sleeping', dana);
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toEqual({ error: 'bad_query', problems: ['status: "sleeping" is not one of investigating, identified, monitoring, resolved, closed', 'from: "2026-13-01" is not a date (use YYYY-MM-DD)'] });
    expect(JSON.parse((await get(h, '/api/incidents?from=2026-13-01', dana)).body)).toMatchObject({ error: 'bad_query' });
    const missing = await get(h, '/analytics/x', dana);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(missing.body).toContain('<h1>Not found</h1>');
    expect(missing.body).toContain('Kranz has no page at /analytics/x.');
    expect(missing.body).toContain('Signed in as Dana Commander');
    expect((await get(h, '/incidents/abc', dana)).body).toContain('Kranz has no page at /incidents/abc.');
  });
});
