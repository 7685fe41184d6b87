/**
 * Least privilege: the manifest asks for a scope only when a Web API method
 * or an event Kranz's code uses needs it, and subscribes only to events the
 * code handles. The methods and events are read from the source itself (every
 * `client.<family>.<method>(` and `apiCall('…')` outside the stand-ins, every
 * `app.event('…')`), their scopes from Slack's method catalog and events
 * index (test/fixtures/slack).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadManifest, manifestBotScopes } from '../../src/adapters/slack/manifest.ts';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const fixture = <T>(name: string): T => JSON.parse(readFileSync(new URL(`../fixtures/slack/${name}`, import.meta.url), 'utf8')) as T;
const catalog = fixture<{ methods: Record<string, { botScopes: string[]; noScopeRequired: boolean }> }>('methods-catalog.json').methods;
const eventsIndex = fixture<{ name: string; scopes: string[] }[]>('events-index.json');

/** Production source: everything under src/ but the stand-ins and the demo. */
function sources(dir = SRC): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return p.endsWith('/sandbox') || p.endsWith('sandbox') ? [] : sources(p);
    return p.endsWith('.ts') ? [readFileSync(p, 'utf8')] : [];
  });
}

const FAMILIES = 'admin|apps|auth|bookmarks|bots|calls|canvases|chat|conversations|dnd|emoji|files|pins|reactions|reminders|search|stars|team|usergroups|users|views';

function methodsUsed(): string[] {
  const found = new Set<string>();
  for (const text of sources()) {
    for (const m of text.matchAll(new RegExp(`\\.((?:${FAMILIES})(?:\\.[a-zA-Z]+)+)\\(`, 'g'))) found.add(m[1]!);
    for (const m of text.matchAll(/apiCall\(\s*'([a-z]+(?:\.[a-zA-Z]+)+)'/g)) found.add(m[1]!);
  }
  // `x.users.lookupByEmail(` also matches inside longer chains such as `client.users.lookupByEmail(`; keep catalog names only.
  return [...found].filter((m) => m in catalog).sort();
}

/** The event subscriptions each handled event needs (`message` arrives per conversation type). */
function eventsHandled(): string[] {
  const found = new Set<string>();
  for (const text of sources()) for (const m of text.matchAll(/app\.event\(\s*'([a-z_]+)'/g)) found.add(m[1]!);
  return [...found].flatMap((e) => (e === 'message' ? ['message.channels', 'message.groups'] : [e])).sort();
}

/**
 * Incident channels are public or private, so a method that works on
 * channels needs the public (`channels:`) and the private (`groups:`) scope;
 * DMs and group DMs are not used.
 */
function scopesNeededBy(method: string): string[][] {
  const c = catalog[method]!;
  if (c.noScopeRequired || c.botScopes.length === 0) return [];
  const publicScopes = c.botScopes.filter((s) => s.startsWith('channels:'));
  const privateScopes = c.botScopes.filter((s) => s.startsWith('groups:'));
  if (publicScopes.length || privateScopes.length) return [publicScopes, privateScopes].filter((g) => g.length);
  return [c.botScopes];
}

/** Scopes no method of the catalog names but that Kranz's features need, each with why. */
const FEATURE_SCOPES: Record<string, string> = {
  commands: 'the /incident slash command and the message shortcut',
  'chat:write.public': 'posting announcements and relays to channels the bot was not invited to',
};

describe('manifest least privilege', () => {
  const manifest = parse(loadManifest()) as { settings: { event_subscriptions: { bot_events: string[] } } };
  const granted = new Set(manifestBotScopes());
  const methods = methodsUsed();
  const events = eventsHandled();

  it('finds the Web API methods and events the code uses', () => {
    // A sanity floor: the scan sees the calls every incident makes.
    for (const m of ['chat.postMessage', 'conversations.create', 'conversations.invite', 'pins.add', 'views.open']) expect(methods).toContain(m);
    expect(events).toContain('reaction_added');
  });

  it('grants every scope each used method needs, for public and private channels', () => {
    const missing = methods.flatMap((m) => scopesNeededBy(m).filter((alternatives) => !alternatives.some((s) => granted.has(s))).map((alternatives) => `${m} needs one of ${alternatives.join(', ')}`));
    expect(missing).toEqual([]);
  });

  it('subscribes to exactly the events the code handles, each with a granted scope', () => {
    expect([...manifest.settings.event_subscriptions.bot_events].sort()).toEqual(events);
    for (const e of events) {
      const known = eventsIndex.find((x) => x.name === e);
      expect(known?.scopes.some((s) => granted.has(s)), `${e} needs one of ${known?.scopes.join(', ')}`).toBe(true);
    }
  });

  it('asks for no scope that no used method, handled event or feature needs', () => {
    const justified = new Set<string>(Object.keys(FEATURE_SCOPES));
    for (const m of methods) for (const group of scopesNeededBy(m)) for (const s of group) if (granted.has(s)) justified.add(s);
    for (const e of events) for (const s of eventsIndex.find((x) => x.name === e)?.scopes ?? []) if (granted.has(s)) justified.add(s);
    const unjustified = [...granted].filter((s) => !justified.has(s));
    expect(unjustified).toEqual([]);
  });
});
