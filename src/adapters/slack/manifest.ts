/**
 * Kranz's Slack app manifest (`manifest.yml` at the package root): loading it,
 * pointing its request URLs at a deployment, and reading its bot scopes.
 */
import { readFileSync } from 'node:fs';
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document } from 'yaml';

/** Where manifest.yml lives: the package root, three levels above this file. */
export const MANIFEST_URL = new URL('../../../manifest.yml', import.meta.url);

/** The manifest exactly as written in manifest.yml. */
export function loadManifest(): string {
  return readFileSync(MANIFEST_URL, 'utf8');
}

function parseBaseUrl(baseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new Error(`Cannot render the Slack manifest: "${baseUrl}" is not a URL (expected e.g. https://kranz.acme.io).`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`Cannot render the Slack manifest: "${baseUrl}" must be an http:// or https:// URL.`);
  }
  return url;
}

function parse(manifestYaml: string): Document {
  const doc = parseDocument(manifestYaml);
  const [first] = doc.errors;
  if (first) throw new Error(`The Slack manifest is not valid YAML: ${first.message}`);
  return doc;
}

/**
 * The manifest with every request URL (slash commands, event subscriptions,
 * interactivity, OAuth redirects) moved to `baseUrl`, keeping each URL's path.
 * A path on `baseUrl` (e.g. `https://ops.acme.io/kranz`) is kept in front.
 * Throws, naming the URL, when `baseUrl` is not an http(s) URL.
 */
export function renderManifest(baseUrl: string, manifestYaml: string = loadManifest(), opts: { webView?: boolean } = {}): string {
  const base = parseBaseUrl(baseUrl);
  const prefix = base.pathname.replace(/\/+$/, '');
  const move = (value: unknown): unknown => {
    if (typeof value !== 'string') return value;
    const old = new URL(value);
    return `${base.origin}${prefix}${old.pathname}${old.search}`;
  };
  const doc = parse(manifestYaml);
  for (const path of [
    ['settings', 'event_subscriptions', 'request_url'],
    ['settings', 'interactivity', 'request_url'],
    ['settings', 'interactivity', 'message_menu_options_url'],
  ]) {
    if (doc.hasIn(path)) doc.setIn(path, move(doc.getIn(path)));
  }
  const commands = doc.getIn(['features', 'slash_commands']);
  if (isSeq(commands)) {
    for (const item of commands.items) if (isMap(item) && item.has('url')) item.set('url', move(item.get('url')));
  }
  const redirects = doc.getIn(['oauth_config', 'redirect_urls']);
  if (isSeq(redirects)) {
    for (const item of redirects.items) if (isScalar(item)) item.value = move(item.value);
  }
  if (opts.webView) addSignInWithSlack(doc, `${base.origin}${prefix}`);
  // lineWidth 0 keeps long values (usage hint, URLs) on one line as written.
  return doc.toString({ lineWidth: 0 });
}

/**
 * The manifest for Socket Mode (SLACK_APP_TOKEN): `socket_mode_enabled: true`
 * and no request URLs at all, since Slack sends everything over the socket.
 * With the web view, Sign in with Slack still needs its https callback.
 */
export function renderSocketModeManifest(manifestYaml: string = loadManifest(), opts: { webViewUrl?: string } = {}): string {
  const doc = parse(manifestYaml);
  for (const path of [
    ['settings', 'event_subscriptions', 'request_url'],
    ['settings', 'interactivity', 'request_url'],
    ['settings', 'interactivity', 'message_menu_options_url'],
    ['oauth_config', 'redirect_urls'],
  ]) {
    if (doc.hasIn(path)) doc.deleteIn(path);
  }
  const commands = doc.getIn(['features', 'slash_commands']);
  if (isSeq(commands)) {
    for (const item of commands.items) if (isMap(item)) item.delete('url');
  }
  doc.setIn(['settings', 'socket_mode_enabled'], true);
  if (opts.webViewUrl) {
    const base = parseBaseUrl(opts.webViewUrl);
    addSignInWithSlack(doc, `${base.origin}${base.pathname.replace(/\/+$/, '')}`);
  }
  return doc.toString({ lineWidth: 0 });
}

/** The user scopes Sign in with Slack (OpenID Connect) asks for. */
export const SIGN_IN_SCOPES = ['openid', 'profile', 'email'] as const;

/**
 * The web view signs people in with Slack: the app needs the callback as a
 * redirect URL and the OpenID user scopes (no other user scope: Kranz acts
 * as its bot, never as a person).
 */
function addSignInWithSlack(doc: Document, base: string): void {
  const callback = `${base}/auth/slack/callback`;
  const redirects = doc.getIn(['oauth_config', 'redirect_urls']);
  const urls = isSeq(redirects) ? redirects.items.map((i) => (isScalar(i) ? String(i.value) : '')) : [];
  if (!urls.includes(callback)) doc.setIn(['oauth_config', 'redirect_urls'], [...urls, callback]);
  const user = doc.getIn(['oauth_config', 'scopes', 'user']);
  const scopes = isSeq(user) ? user.items.map((i) => (isScalar(i) ? String(i.value) : '')) : [];
  doc.setIn(['oauth_config', 'scopes', 'user'], [...scopes, ...SIGN_IN_SCOPES.filter((s) => !scopes.includes(s))]);
}

/** The bot token scopes the manifest asks for, in manifest order. */
export function manifestBotScopes(manifestYaml: string = loadManifest()): string[] {
  const scopes = parse(manifestYaml).toJS() as { oauth_config?: { scopes?: { bot?: unknown } } };
  const bot = scopes.oauth_config?.scopes?.bot;
  return Array.isArray(bot) ? bot.map(String) : [];
}
