import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents, SocketAuth } from '@protocol/events';
import { TRANSPORTS } from './transports';

/** The client's side of the Socket.IO event maps: what it hears, what it sends. */
export type DuologueSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * The one real-time connection of this tab. It stays closed until a room is opened,
 * and Socket.IO reconnects it by itself after a network drop.
 */
export const socket: DuologueSocket = io({ autoConnect: false, ...TRANSPORTS });

/** Opens the connection for one seat of one room; false when it is already open for it. */
export function openRoomSocket(auth: SocketAuth): boolean {
  const current = socket.auth as Partial<SocketAuth> | undefined;
  const same = current?.roomId === auth.roomId && current.seatKey === auth.seatKey;
  if (same && (socket.connected || socket.active)) return false;
  if (socket.connected || socket.active) socket.disconnect();
  socket.auth = { ...auth };
  socket.connect();
  return true;
}

/** Closes the connection on purpose: no reconnection follows. */
export function closeRoomSocket(): void {
  socket.auth = {};
  socket.disconnect();
}
