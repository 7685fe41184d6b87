/**
 * `kranz manifest --socket-mode`: the manifest for SLACK_APP_TOKEN installs.
 * It is valid against Slack's official manifest schema, turns Socket Mode
 * on and carries no request URL at all (Slack sends everything over the
 * socket), with the same scopes, events, command and shortcut as the HTTP one.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadManifest, renderManifest, renderSocketModeManifest } from '../../src/adapters/slack/manifest.ts';

const schema = JSON.parse(readFileSync(new URL('../fixtures/slack/app_manifest.schema.1.0.0.json', import.meta.url), 'utf8')) as Record<string, unknown>;
delete schema['$schema'];
const check = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(schema);

describe('the Socket Mode manifest', () => {
  it('is valid, enables Socket Mode and names no URL', () => {
    const text = renderSocketModeManifest();
    const m = parse(text) as Record<string, any>;
    expect(check(m), JSON.stringify(check.errors)).toBe(true);
    expect(m['settings']['socket_mode_enabled']).toBe(true);
    expect(text).not.toContain('kranz.example.com');
    expect(text).not.toMatch(/^\s*-?\s*url:/m);
    expect(text).not.toMatch(/request_url|redirect_urls/);
    expect(m['features']['slash_commands'][0]).not.toHaveProperty('url');
  });

  it('asks for the same scopes, events, command and shortcut as the HTTP manifest', () => {
    const socket = parse(renderSocketModeManifest()) as Record<string, any>;
    const http = parse(renderManifest('https://kranz.acme.io', loadManifest())) as Record<string, any>;
    expect(socket['oauth_config']['scopes']).toEqual(http['oauth_config']['scopes']);
    expect(socket['settings']['event_subscriptions']['bot_events']).toEqual(http['settings']['event_subscriptions']['bot_events']);
    expect(socket['settings']['interactivity']['is_enabled']).toBe(true);
    expect(socket['features']['slash_commands'][0]['command']).toBe('/incident');
    expect(socket['features']['shortcuts']).toEqual(http['features']['shortcuts']);
  });

  it('keeps the Sign in with Slack callback when the web view is on', () => {
    const m = parse(renderSocketModeManifest(undefined, { webViewUrl: 'https://ops.acme.io/kranz' })) as Record<string, any>;
    expect(check(m), JSON.stringify(check.errors)).toBe(true);
    expect(m['oauth_config']['redirect_urls']).toEqual(['https://ops.acme.io/kranz/auth/slack/callback']);
    expect(m['settings']['event_subscriptions']).not.toHaveProperty('request_url');
  });
});
