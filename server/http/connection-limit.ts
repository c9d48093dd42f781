import type { FastifyBaseLogger } from 'fastify';
import type { Server } from 'node:http';

/**
 * Caps the connections one client address may hold open at once: one more is closed as soon
 * as it opens, before a byte of it is read. A phone needs one for its socket and a few for
 * the page's files, so a couple and their moderator behind one router stay far below any
 * sensible cap, while a client opening hundreds cannot use up the server's file descriptors.
 * `cap` 0 leaves connections uncapped.
 */
export function limitConnectionsPerAddress(server: Server, cap: number, log: FastifyBaseLogger): void {
  if (cap === 0) return;
  const open = new Map<string, number>();
  server.on('connection', (socket) => {
    const address = socket.remoteAddress;
    if (address === undefined) return;
    const count = open.get(address) ?? 0;
    if (count >= cap) {
      // Said once per flood, and without the address: the log holds no client's identity.
      if (count === cap) log.warn({ cap }, 'a client address holds the most connections allowed; refusing more');
      open.set(address, cap + 1);
      socket.destroy();
      return;
    }
    open.set(address, count + 1);
    socket.once('close', () => {
      const now = Math.min(open.get(address) ?? 1, cap) - 1;
      if (now <= 0) open.delete(address);
      else open.set(address, now);
    });
  });
}
