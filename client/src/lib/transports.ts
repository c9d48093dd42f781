import type { ManagerOptions, Socket, SocketOptions } from 'socket.io-client';

/**
 * A WebSocket first, long-polling where no WebSocket opens. Starting with long-polling and
 * upgrading leaves a moment in which a closing page drops the WebSocket being set up while the
 * server still counts its polling connection as live: the seat then showed online for up to
 * 45 s after the page was gone. A WebSocket that fails (a proxy without the Upgrade headers)
 * falls back to long-polling at once (`tryAllTransports`); one that hangs is `fallBackOnTimeout`'s.
 */
export const TRANSPORTS: Pick<Partial<ManagerOptions & SocketOptions>, 'transports' | 'tryAllTransports'> = {
  transports: ['websocket', 'polling'],
  tryAllTransports: true,
};

/**
 * Some proxies take a WebSocket upgrade and never answer it: Socket.IO then gives up on the
 * connection after its connect timeout, with no error that would move it on to long-polling,
 * and every new attempt would hang the same way. After such a timeout this connection starts
 * with long-polling (and upgrades where it can) for as long as the page lives.
 */
export function fallBackOnTimeout(socket: Socket): void {
  socket.on('connect_error', (error) => {
    if (error.message === 'timeout') socket.io.opts.transports = ['polling', 'websocket'];
  });
}
