import type { ManagerOptions, SocketOptions } from 'socket.io-client';

/**
 * A WebSocket first, long-polling only where no WebSocket opens (a proxy without the Upgrade
 * headers). Starting with long-polling and upgrading leaves a moment in which a closing page
 * drops the WebSocket being set up while the server still counts its polling connection as
 * live: the seat then showed online for 45 s after the page was gone.
 */
export const TRANSPORTS: Pick<Partial<ManagerOptions & SocketOptions>, 'transports' | 'tryAllTransports'> = {
  transports: ['websocket', 'polling'],
  tryAllTransports: true,
};
