/**
 * What is wrong with a DATABASE_URL, part by part (scheme, host, port), so
 * the operator fixes the right thing. The URL itself is never echoed: it
 * usually carries a password.
 */

/** Undefined when `raw` is a usable PostgreSQL URL; else what is wrong (without the variable's name). */
export function databaseUrlProblem(raw: string): string | undefined {
  const example = 'postgres://user:password@host:5432/kranz';
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)(?::([^/?#]*))?([/?#].*)?$/.exec(raw);
  if (!m) {
    return `is not a URL; expected ${example} (or leave it unset to use the embedded database)`;
  }
  const [, scheme = '', host = '', port, rest = ''] = m;
  if (!/^postgres(ql)?$/i.test(scheme)) {
    return `scheme "${scheme}:" is not PostgreSQL; use postgres:// or postgresql:// (${example})`;
  }
  if (port !== undefined && port !== '') {
    if (!/^\d+$/.test(port)) return `port "${port}" is not a number; expected 1 to 65535 (PostgreSQL's default is 5432)`;
    const n = Number(port);
    if (n < 1 || n > 65535) return `port ${port} is out of range; expected 1 to 65535 (PostgreSQL's default is 5432)`;
  }
  // libpq also takes the host (or a Unix socket directory) from ?host=.
  const hostParam = /[?&]host=([^&#]+)/.exec(rest)?.[1];
  if (host === '' && !hostParam) return `names no host; expected ${example} (a Unix socket: postgres:///kranz?host=/var/run/postgresql)`;
  if (host !== '' && !host.startsWith('[') && !/^[a-zA-Z0-9._%-]+$/.test(host)) {
    return `host "${host}" is not a valid host name`;
  }
  if (!URL.canParse(raw)) return `is not a valid URL (special characters in the user name or password must be percent-encoded); expected ${example}`;
  return undefined;
}
