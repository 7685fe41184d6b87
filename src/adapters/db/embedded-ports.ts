/**
 * Port choice for the embedded PostgreSQL (policy described in embedded.ts).
 */
import { createServer } from 'node:net';
import { KranzError } from './errors.ts';

/** First port tried when none is configured or recorded. */
export const DEFAULT_EMBEDDED_PORT = 54320;
const PORT_SCAN = 20;

function isPortFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const srv = createServer();
    srv.once('error', () => done(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => done(true)));
  });
}

/**
 * Returns `explicit` if free (else throws `KRANZ_EMBEDDED_PORT_IN_USE`); without it, `preferred`
 * if free, then 54320..54339, then an OS-assigned port.
 */
export async function choosePort(explicit: number | undefined, preferred: number): Promise<number> {
  if (explicit !== undefined) {
    if (await isPortFree(explicit)) return explicit;
    throw new KranzError('KRANZ_EMBEDDED_PORT_IN_USE', `Port ${explicit} on 127.0.0.1 is in use; choose another port.`, {
      details: { port: explicit },
    });
  }
  const candidates = [preferred];
  for (let p = DEFAULT_EMBEDDED_PORT; p < DEFAULT_EMBEDDED_PORT + PORT_SCAN; p++) if (p !== preferred) candidates.push(p);
  for (const p of candidates) if (p < 65536 && (await isPortFree(p))) return p;
  // Everything nearby is taken: let the OS pick.
  return new Promise((done, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => done(typeof addr === 'object' && addr ? addr.port : DEFAULT_EMBEDDED_PORT));
    });
  });
}

