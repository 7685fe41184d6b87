/**
 * Connection-string helpers: a database URL must never reach a log line or an
 * error message with its password in it.
 */

/**
 * Returns `url` with any password replaced by `***`. Handles both URL form
 * (`postgres://user:secret@host/db`) and libpq key/value form
 * (`host=x password=secret`); anything unparseable is returned with every
 * `password=` value masked.
 */
export function redactDatabaseUrl(url: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    try {
      const u = new URL(url);
      if (u.password !== '') u.password = '***';
      // Passwords can also ride in the query string (?password=...).
      if (u.searchParams.has('password')) u.searchParams.set('password', '***');
      return u.toString().replace('password=%2A%2A%2A', 'password=***');
    } catch {
      // Fall through to the key/value masking below.
    }
  }
  return url
    .replace(/(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)/gi, '$1***')
    .replace(/(:\/\/[^:/@]*:)[^@]*@/, '$1***@');
}
