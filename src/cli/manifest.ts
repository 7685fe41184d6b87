/**
 * `kranz manifest --url https://kranz.acme.io`: the Slack app manifest for
 * your host; `kranz manifest --socket-mode`: the manifest for Socket Mode
 * (SLACK_APP_TOKEN), which needs no public URL.
 */
import type { CliCommand } from './command.ts';
import { UsageError } from './command.ts';

/** Slack only calls request URLs over https; a URL with a path keeps it (https://ops.acme.io/kranz). */
export function checkManifestUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`kranz manifest: --url "${raw}" is not a URL; give the https address Slack will reach Kranz at, e.g. https://kranz.acme.io`);
  }
  if (url.protocol !== 'https:') {
    throw new UsageError(`kranz manifest: --url must be an https:// URL (Slack sends requests only over https), not "${raw}"`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new UsageError(`kranz manifest: --url must be a plain https://host[/path] without query, fragment or credentials, not "${raw}"`);
  }
  return url.toString();
}

export const manifestCommand: CliCommand = {
  name: 'manifest',
  summary: 'print the Slack app manifest for your host',
  details: 'Paste the output at api.slack.com/apps → Create New App → From an app manifest.',
  flags: {
    url: { type: 'string', value: 'URL', description: 'the https address Slack reaches Kranz at (required), e.g. https://kranz.acme.io' },
    web: { type: 'boolean', description: 'add Sign in with Slack for the web view (also when KRANZ_PUBLIC_URL is set)' },
    'socket-mode': { type: 'boolean', description: 'the manifest for Socket Mode (SLACK_APP_TOKEN): no request URLs; --url only with --web' },
  },
  async run({ flags, io }) {
    const raw = flags['url'];
    if (flags['socket-mode'] === true) {
      const { renderSocketModeManifest } = await import('../adapters/slack/manifest.ts');
      const web = flags['web'] === true || Boolean(process.env['KRANZ_PUBLIC_URL']?.trim());
      const webUrl = typeof raw === 'string' ? checkManifestUrl(raw) : process.env['KRANZ_PUBLIC_URL']?.trim();
      if (web && !webUrl) throw new UsageError('kranz manifest --socket-mode --web: give --url (or KRANZ_PUBLIC_URL), the https address of the web view, for the Sign in with Slack callback');
      io.out(renderSocketModeManifest(undefined, web && webUrl ? { webViewUrl: webUrl } : {}));
      return 0;
    }
    if (typeof raw !== 'string') throw new UsageError('kranz manifest: --url is required: the https address Slack will reach Kranz at, e.g. --url https://kranz.acme.io');
    const url = checkManifestUrl(raw);
    const { renderManifest } = await import('../adapters/slack/manifest.ts');
    const webView = flags['web'] === true || Boolean(process.env['KRANZ_PUBLIC_URL']?.trim());
    io.out(renderManifest(url, undefined, { webView }));
    return 0;
  },
};
