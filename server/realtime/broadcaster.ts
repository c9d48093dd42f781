import type { SeatId, StateView } from '../../protocol';
import type { DuologueServer } from './socket-gateway';

/** Sends to the members of a room, wherever they are connected. */
export interface Broadcaster {
  /** Sends a seat's view to every connection of that seat. */
  state(roomId: string, seat: SeatId, view: StateView): void;
  /** Tells every member the room is gone, and disconnects them. */
  deleted(roomId: string): void;
}

/** The Socket.IO room of every connection of one seat. */
export function seatChannel(roomId: string, seat: SeatId): string {
  return `${roomId}:${seat}`;
}

/**
 * The one broadcaster: it reaches seats through their Socket.IO rooms (`<roomId>:<seat>`),
 * which an adapter (Redis) would carry across processes.
 */
export function socketBroadcaster(io: DuologueServer): Broadcaster {
  return {
    state(roomId, seat, view) {
      io.to(seatChannel(roomId, seat)).emit('state', view);
    },
    deleted(roomId) {
      io.to(roomId).emit('deleted');
      io.in(roomId).disconnectSockets(true);
    },
  };
}
