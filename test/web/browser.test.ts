/**
 * The web view in a real headless Chromium (Debian's, driven by
 * playwright-core): sign in through the local Slack's authorize page, the
 * list, an incident whose timeline grows live, both reports, analytics with
 * its charts, and sign-out. Screenshots land in test-results/web/ (git-ignored).
 */
import { mkdir } from 'node:fs/promises';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCommand } from '../../src/app/apply-command.ts';
import { USERS, outboxDrained } from '../helpers/kranz-harness.ts';
import { declare, startWebHarness, type WebHarness } from '../helpers/web.ts';
import { appendToLog } from '../helpers/written-log.ts';
import { asSlackUserId } from '../../src/domain/ids.ts';

const SHOTS = new URL('../../test-results/web/', import.meta.url).pathname;
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

let h: WebHarness;
let browser: Browser;
let page: Page;
let n: number;

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true });
}

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
  h = await startWebHarness();
  n = await declare(h, { title: 'Checkout API returns 500s', severity: 'SEV1', customers: ['acme'], description: 'Card payments fail for EU shoppers' });
  await declare(h, { title: 'Search is slow', severity: 'SEV3' });
  await outboxDrained(h);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe('web view in Chromium', () => {
  it('signs in through the local Slack\'s authorize page and lists incidents', async () => {
    await page.goto(`${h.publicUrl}/`);
    // Not signed in: Kranz sends the browser to Slack, where the demo person is chosen.
    await page.waitForURL(/\/openid\/connect\/authorize/);
    await shot('01-authorize');
    await page.getByRole('button', { name: /Dana Commander/ }).click();
    await page.waitForURL(`${h.publicUrl}/`);
    await expect.poll(() => page.locator('.who').textContent()).toContain('Signed in as Dana Commander');
    const rows = page.locator('#incidents tbody tr');
    expect(await rows.count()).toBe(2);
    expect(await rows.first().textContent()).toContain('Search is slow');
    await shot('02-list');
  });

  it('opens an incident and shows a new timeline entry as it is recorded', async () => {
    await page.getByRole('link', { name: 'Checkout API returns 500s' }).click();
    await page.waitForURL(`${h.publicUrl}/incidents/${n}`);
    await expect.poll(() => page.locator('#live-status').textContent()).toContain('Live');
    const before = await page.locator('#timeline li').count();
    const r = await applyCommand(h.kranz.deps, { number: n }, { type: 'add_note', text: 'Rolled back deploy 4711', via: 'command' }, { actor: { kind: 'user', userId: asSlackUserId(USERS.dana.id), name: 'dana' }, source: { kind: 'slack' }, idempotencyKey: `browser:note:${Date.now()}` });
    expect(r.ok).toBe(true);
    await page.locator('#timeline li', { hasText: 'Rolled back deploy 4711' }).waitFor({ timeout: 10_000 });
    expect(await page.locator('#timeline li').count()).toBe(before + 1);
    expect(await page.locator('#event-count').textContent()).toBe(String(before + 1));
    await shot('03-incident');
  });

  it('puts the withheld words in place of a note on the open page once its Slack message is deleted', async () => {
    const meta = (key: string) => ({ actor: { kind: 'user' as const, userId: asSlackUserId(USERS.dana.id), name: 'dana' }, source: { kind: 'slack' as const }, idempotencyKey: `browser:${key}:${Date.now()}` });
    const ts = '1700000000.000900';
    expect((await applyCommand(h.kranz.deps, { number: n }, { type: 'add_note', text: 'vpn password is swordfish', via: 'pin', messageTs: ts }, meta('flag'))).ok).toBe(true);
    const line = page.locator(`#timeline li[data-ts="${ts}"]`);
    await expect.poll(() => line.textContent(), { timeout: 10_000 }).toContain('swordfish');
    expect((await applyCommand(h.kranz.deps, { number: n }, { type: 'delete_message', messageTs: ts }, meta('delete'))).ok).toBe(true);
    await expect.poll(() => line.textContent(), { timeout: 10_000 }).toContain('Note: text withheld, its Slack message was deleted later');
    expect(await line.textContent()).not.toContain('swordfish');
    expect(await line.locator('.muted').textContent()).toMatch(/^· @/);
  });

  // A message flagged again after its deletion: Kranz refuses such a flag now (it would carry the deleted text), but
  // a log may hold one.
  it('keeps the text of a note flagged again after the deletion it withholds on the open page', async () => {
    const meta = (key: string) => ({ actor: { kind: 'user' as const, userId: asSlackUserId(USERS.dana.id), name: 'dana' }, source: { kind: 'slack' as const }, idempotencyKey: `browser:${key}:${Date.now()}` });
    const ts = '1700000000.000901';
    expect((await applyCommand(h.kranz.deps, { number: n }, { type: 'add_note', text: 'session key k-4242', via: 'pin', messageTs: ts }, meta('flag-first'))).ok).toBe(true);
    const lines = page.locator(`#timeline li[data-ts="${ts}"][data-type="note_added"]`);
    await expect.poll(() => lines.first().textContent(), { timeout: 10_000 }).toContain('k-4242');
    // The deletion and the second flag in one transaction, as the log holds them: the page gets both lines and the withhold in one poll.
    await appendToLog(h, n,
      { type: 'message_deleted', data: { messageTs: ts, previousText: 'session key k-4242' } },
      { type: 'note_added', data: { text: 'session key rotated', via: 'pin', messageTs: ts } },
    );
    await expect.poll(() => lines.first().textContent(), { timeout: 10_000 }).toContain('Note: text withheld, its Slack message was deleted later');
    expect(await lines.count()).toBe(2);
    expect(await lines.last().textContent()).toContain('Note: session key rotated');
  });

  it('opens the incident report and the customer report', async () => {
    await page.getByRole('link', { name: 'Incident report' }).click();
    await page.waitForURL(`${h.publicUrl}/incidents/${n}/report`);
    expect(await page.locator('#report h1').textContent()).toContain(`INC-${n}: Checkout API returns 500s`);
    expect(await page.locator('#report h2').allTextContents()).toEqual(expect.arrayContaining(['Summary', 'Resolution and recovery timeline', 'Root cause', 'Corrective and preventive measures']));
    await shot('04-report');
    await page.goto(`${h.publicUrl}/incidents/${n}`);
    await page.getByRole('link', { name: 'Report for acme' }).click();
    await page.waitForURL(`${h.publicUrl}/incidents/${n}/report/acme`);
    const customerReport = (await page.locator('#report').textContent()) ?? '';
    // The customer's own version, not the internal draft: no internal ids or notes.
    expect(customerReport).toContain('Incident report for Acme Corp');
    expect(customerReport).not.toMatch(/\bU[A-Z0-9]{4,}\b|event [0-9a-f]{8}-/);
    await shot('05-customer-report');
  });

  it('opens analytics and sees the charts rendered', async () => {
    await page.getByRole('link', { name: 'Analytics' }).click();
    await page.waitForURL(`${h.publicUrl}/analytics`);
    for (const id of ['chart-incidents', 'chart-times', 'chart-sla']) {
      const svg = page.locator(`#${id} svg`);
      await svg.waitFor();
      const box = await svg.boundingBox();
      expect(box?.width, id).toBeGreaterThan(200);
      expect(box?.height, id).toBeGreaterThan(100);
    }
    // The stacked bars of incidents per month are drawn marks, not an empty frame.
    expect(await page.locator('#chart-incidents svg path, #chart-incidents svg rect').count()).toBeGreaterThan(2);
    await shot('06-analytics');
  });

  it('signs out', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${h.publicUrl}/signed-out`);
    await page.goto(`${h.publicUrl}/`);
    await page.waitForURL(/\/openid\/connect\/authorize/);
  });
});
