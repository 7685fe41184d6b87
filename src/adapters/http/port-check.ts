/**
 * Is PORT free? Probed before Kranz starts (a raw EADDRINUSE from deep inside
 * start-up names neither the variable nor the culprit), and, on Linux, which
 * process holds it, read from /proc (only processes this user may inspect).
 */
import { readdir, readFile, readlink } from 'node:fs/promises';
import { createServer } from 'node:net';

/** Undefined when Kranz can listen on `port`; else one line naming PORT, the cause and, when known, the holder. */
export async function portProblem(port: number): Promise<string | undefined> {
  const err = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    const srv = createServer();
    srv.once('error', (e: NodeJS.ErrnoException) => resolve(e));
    // Same binding as Kranz's server: every address.
    srv.listen(port, () => srv.close(() => resolve(undefined)));
  });
  return err ? describeListenError(port, err) : undefined;
}

/** The operator's sentence for a failed listen. */
export async function describeListenError(port: number, err: NodeJS.ErrnoException): Promise<string> {
  if (err.code === 'EADDRINUSE') {
    const holder = await portHolder(port).catch(() => undefined);
    return `PORT=${port}: the port is already in use${holder ? ` by ${holder}` : ''}; stop that process or set PORT to a free port`;
  }
  if (err.code === 'EACCES') return `PORT=${port}: not allowed to listen on this port (ports below 1024 need privileges); set PORT to 1024 or above`;
  return `PORT=${port}: cannot listen: ${err.message}`;
}

/** `process 1234 (node server.js)`, or undefined when it cannot be told. */
export async function portHolder(port: number): Promise<string | undefined> {
  if (process.platform !== 'linux') return undefined;
  const inodes = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(file, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      const local = f[1];
      // State 0A is LISTEN.
      if (!local || f[3] !== '0A') continue;
      if (parseInt(local.split(':').at(-1) ?? '', 16) === port && f[9]) inodes.add(f[9]);
    }
  }
  if (!inodes.size) return undefined;
  for (const pid of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(pid)) continue;
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
      const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
      if (inode && inodes.has(inode)) {
        const cmd = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0').filter(Boolean).join(' ');
        return `process ${pid}${cmd ? ` (${cmd.length > 80 ? `${cmd.slice(0, 77)}...` : cmd})` : ''}`;
      }
    }
  }
  return 'another process (not one this user can inspect)';
}
