import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { loadManifest, manifestBotScopes, renderManifest } from '../../src/adapters/slack/manifest.ts';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../fixtures/slack/${name}`, import.meta.url), 'utf8'));

/** Validates against Slack's official manifest schema (Ajv 8, per the schema's README). */
function validate(manifest: unknown): string[] {
  const schema = fixture('app_manifest.schema.1.0.0.json') as Record<string, unknown>;
  delete schema.$schema;
  // The only format in the schema is "uri", on the $schema key we removed; no ajv-formats needed.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const check = ajv.compile(schema);
  return check(manifest) ? [] : (check.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

interface Manifest {
  display_information: { name: string };
  features: {
    bot_user: { display_name: string };
    slash_commands: { command: string; url: string; usage_hint: string }[];
    shortcuts: { name: string; type: string; callback_id: string }[];
  };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    event_subscriptions: { request_url: string; bot_events: string[] };
    interactivity: { is_enabled: boolean; request_url: string };
    org_deploy_enabled: boolean;
    socket_mode_enabled: boolean;
    token_rotation_enabled: boolean;
  };
}

const requestUrls = (m: Manifest): string[] => [
  ...m.features.slash_commands.map((c) => c.url),
  m.settings.event_subscriptions.request_url,
  m.settings.interactivity.request_url,
];

describe('Slack app manifest', () => {
  const written = parse(loadManifest()) as Manifest;

  it('is valid against Slack\'s app manifest schema as written', () => {
    expect(validate(written)).toEqual([]);
  });

  it('stays valid, with every request URL moved, after renderManifest', () => {
    const rendered = parse(renderManifest('https://kranz.acme.io')) as Manifest;
    expect(validate(rendered)).toEqual([]);
    expect(requestUrls(rendered)).toEqual(Array(3).fill('https://kranz.acme.io/slack/events'));
    expect(requestUrls(written)).toEqual(Array(3).fill('https://kranz.example.com/slack/events'));
    // Everything else is untouched.
    expect({ ...rendered, features: undefined, settings: undefined }).toEqual({ ...written, features: undefined, settings: undefined });
  });

  it('adds Sign in with Slack (redirect URL and the openid, profile, email user scopes) for the web view, still valid', () => {
    const rendered = parse(renderManifest('https://kranz.acme.io/ops', undefined, { webView: true })) as Manifest & { oauth_config: { redirect_urls: string[]; scopes: { user: string[] } } };
    expect(validate(rendered)).toEqual([]);
    expect(rendered.oauth_config.redirect_urls).toEqual(['https://kranz.acme.io/ops/auth/slack/callback']);
    expect(rendered.oauth_config.scopes.user).toEqual(['openid', 'profile', 'email']);
    expect(rendered.oauth_config.scopes.bot).toEqual(written.oauth_config.scopes.bot);
    const without = parse(renderManifest('https://kranz.acme.io')) as { oauth_config: { redirect_urls?: string[]; scopes: { user?: string[] } } };
    expect(without.oauth_config.redirect_urls).toBeUndefined();
    expect(without.oauth_config.scopes.user).toBeUndefined();
  });

  it('keeps a path prefix of the base URL and rejects non-http(s) URLs by name', () => {
    const rendered = parse(renderManifest('http://localhost:3000/kranz/')) as Manifest;
    expect(rendered.settings.interactivity.request_url).toBe('http://localhost:3000/kranz/slack/events');
    expect(() => renderManifest('ftp://kranz.acme.io')).toThrow(/"ftp:\/\/kranz\.acme\.io"/);
    expect(() => renderManifest('kranz.acme.io')).toThrow(/"kranz\.acme\.io"/);
  });

  it('declares the /incident command with every subcommand in its usage hint', () => {
    expect(written.display_information.name).toBe('Kranz');
    expect(written.features.bot_user.display_name).toBe('Kranz');
    const [cmd, ...others] = written.features.slash_commands;
    expect(others).toEqual([]);
    expect(cmd?.command).toBe('/incident');
    const subcommands = ['declare', 'update', 'sev', 'role', 'note', 'customer-contacted', 'root-cause', 'action', 'resolve', 'close', 'reopen', 'report', 'status', 'list', 'page', 'link', 'snooze', 'help'];
    const hinted = (cmd?.usage_hint ?? '').replace(/[[\]]/g, '').split('|').map((s) => s.trim());
    expect(hinted).toEqual(subcommands);
  });

  it('declares the Add to incident timeline message shortcut and interactivity', () => {
    expect(written.features.shortcuts).toEqual([
      expect.objectContaining({ name: 'Add to incident timeline', type: 'message', callback_id: 'add_to_timeline' }),
    ]);
    expect(written.settings.interactivity.is_enabled).toBe(true);
    expect(written.settings).toMatchObject({ org_deploy_enabled: false, socket_mode_enabled: false, token_rotation_enabled: false });
  });

  it('subscribes to exactly the bot events Kranz handles, each covered by a declared scope', () => {
    const events = written.settings.event_subscriptions.bot_events;
    expect(events).toEqual(['message.channels', 'message.groups', 'reaction_added', 'pin_added', 'member_joined_channel']);
    const index = fixture('events-index.json') as { name: string; scopes: string[] }[];
    const scopes = new Set(manifestBotScopes());
    for (const e of events) {
      const known = index.find((x) => x.name === e);
      expect(known, e).toBeDefined();
      expect(known?.scopes.some((s) => scopes.has(s)), `${e} needs one of ${known?.scopes.join(', ')}`).toBe(true);
    }
  });

  it('asks for exactly Kranz\'s bot scopes', () => {
    expect(manifestBotScopes()).toEqual([
      'commands', 'chat:write', 'chat:write.public', 'channels:manage', 'channels:read', 'channels:history',
      'groups:write', 'groups:read', 'groups:history', 'pins:read', 'pins:write', 'reactions:read', 'users:read',
      'users:read.email', 'usergroups:read', 'files:write', 'canvases:write',
    ]);
    expect(manifestBotScopes(renderManifest('https://kranz.acme.io'))).toEqual(manifestBotScopes());
  });
});
