/**
 * `kranz manifest --url …` prints the Slack app manifest with every request
 * URL on the given host, and those URLs lead to where a running Kranz
 * answers Slack.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ADD_TO_TIMELINE } from '../../src/adapters/slack/listeners/shortcuts.ts';
import { startHarness, type Harness } from '../helpers/kranz-harness.ts';

const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function kranz(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 15_000, env: { ...process.env, LOG_LEVEL: 'silent' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Manifest {
  features: { slash_commands: { command: string; url: string }[]; shortcuts: { callback_id: string; type: string }[] };
  settings: { event_subscriptions: { request_url: string; bot_events: string[] }; interactivity: { is_enabled: boolean; request_url: string } };
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

describe('kranz manifest', () => {
  let manifest: Manifest | undefined;

  it('prints the manifest with the request URLs on the given host', () => {
    const r = kranz('manifest', '--url', 'https://kranz.acme.io');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain('kranz.example.com');
    const m = parse(r.stdout) as Manifest;
    manifest = m;
    const urls = [...m.features.slash_commands.map((c) => c.url), m.settings.event_subscriptions.request_url, m.settings.interactivity.request_url];
    expect(urls).toEqual(['https://kranz.acme.io/slack/events', 'https://kranz.acme.io/slack/events', 'https://kranz.acme.io/slack/events']);
    expect(m.features.slash_commands.map((c) => c.command)).toEqual(['/incident']);
    expect(m.features.shortcuts).toEqual([expect.objectContaining({ type: 'message', callback_id: ADD_TO_TIMELINE })]);
    expect(m.settings.interactivity.is_enabled).toBe(true);
    // The comments explaining the manifest survive the rewrite.
    expect(r.stdout).toContain('# Slack app manifest for Kranz');
  });

  it('refuses what is not a URL, in a sentence', () => {
    const bad = kranz('manifest', '--url', 'kranz.acme.io');
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain('"kranz.acme.io" is not a URL');
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });

  it('points Slack at the path where Kranz answers it', async () => {
    expect(manifest).toBeDefined();
    const path = new URL(manifest!.settings.event_subscriptions.request_url).pathname;
    h.slack.setBotEndpoint(`${h.kranz.url}${path}`);
    const verified = await h.slack.verifyUrl();
    expect(verified.ok).toBe(true);
    // Every event the manifest subscribes to is one the stand-in (and so Slack) would send Kranz.
    expect([...h.slack.workspace.config.botEvents].sort()).toEqual([...manifest!.settings.event_subscriptions.bot_events].sort());
  });
});
