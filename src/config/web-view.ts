/** The web view's settings (Sign in with Slack): on only when all four variables are set. */
/** What turns the web view (Sign in with Slack) on. */
export interface WebViewSettings {
  clientId: string;
  clientSecret: string;
  /** No trailing `/`. */
  publicUrl: string;
  sessionSecret: string;
}

/** The variables that turn the web view on, in the order they are named to operators. */
export const WEB_VIEW_ENV_KEYS = ['SLACK_CLIENT_ID', 'SLACK_CLIENT_SECRET', 'KRANZ_PUBLIC_URL', 'KRANZ_SESSION_SECRET'] as const;

/** The web view's settings when all are set, else which variables are missing. */
export function webViewSettings(env: { web?: Partial<WebViewSettings> }): { ok: true; settings: WebViewSettings } | { ok: false; missing: string[] } {
  const w = env.web ?? {};
  const missing: string[] = [];
  if (!w.clientId) missing.push('SLACK_CLIENT_ID');
  if (!w.clientSecret) missing.push('SLACK_CLIENT_SECRET');
  if (!w.publicUrl) missing.push('KRANZ_PUBLIC_URL');
  if (!w.sessionSecret) missing.push('KRANZ_SESSION_SECRET');
  if (missing.length || !w.clientId || !w.clientSecret || !w.publicUrl || !w.sessionSecret) return { ok: false, missing };
  return { ok: true, settings: { clientId: w.clientId, clientSecret: w.clientSecret, publicUrl: w.publicUrl, sessionSecret: w.sessionSecret } };
}
