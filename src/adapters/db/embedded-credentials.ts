/**
 * The embedded cluster's superuser credentials, kept in
 * `<dataDir>/pg-credentials.json` (mode 0600). The password is generated once,
 * before initdb, and stays fixed; the file also remembers the last port used.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { KranzError } from './errors.ts';
import { readFileIfExists, writeFileAtomic } from './files.ts';
import { DEFAULT_EMBEDDED_PORT } from './embedded-ports.ts';

/** Shape of pg-credentials.json. */
export const Credentials = z.object({ user: z.string().min(1), password: z.string().min(1), port: z.number().int().positive() });
export type Credentials = z.infer<typeof Credentials>;

/**
 * Reads the credentials file, or creates it when neither it nor the cluster exists yet.
 * A cluster without its credentials file is refused: its password would be unknown.
 */
export async function loadOrCreateCredentials(file: string, clusterExists: boolean): Promise<Credentials> {
  const text = await readFileIfExists(file);
  if (text !== undefined) {
    const parsed = Credentials.safeParse(safeJson(text));
    if (parsed.success) return parsed.data;
    throw new KranzError('KRANZ_EMBEDDED_CREDENTIALS_INVALID', `${file} is not valid; restore it from a backup.`, {
      details: { file },
    });
  }
  if (clusterExists) {
    throw new KranzError(
      'KRANZ_EMBEDDED_CREDENTIALS_MISSING',
      `${file} is missing but the cluster next to it exists, so its password is unknown. Restore the file from a backup.`,
      { details: { file } },
    );
  }
  const creds = { user: 'kranz', password: randomBytes(24).toString('hex'), port: DEFAULT_EMBEDDED_PORT };
  await saveCredentials(file, creds);
  return creds;
}

/** Writes the credentials file atomically with mode 0600. */
export function saveCredentials(file: string, creds: Credentials): Promise<void> {
  return writeFileAtomic(file, `${JSON.stringify(creds, null, 2)}\n`, 0o600);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

