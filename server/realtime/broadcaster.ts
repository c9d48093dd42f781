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
 * which the Redis adapter carries across processes (`shared`).
 */
export function socketBroadcaster(io: DuologueServer, options: { shared?: boolean } = {}): Broadcaster {
  return {
    state(roomId, seat, view) {
      const channel = seatChannel(roomId, seat);
      if (options.shared !== true) {
        io.to(channel).emit('state', view);
        return;
      }
      // The adapter delivers even to this process's sockets only once Redis took the message,
      // which could let a command's ack overtake its sender's own new state. So this process's
      // sockets of the seat get the view at once, and the adapter carries it to the others'.
      const here = io.of('/').adapter.rooms.get(channel);
      if (here === undefined || here.size === 0) {
        io.to(channel).emit('state', view);
        return;
      }
      io.local.to(channel).emit('state', view);
      io.to(channel).except([...here]).emit('state', view);
    },
    deleted(roomId) {
      io.to(roomId).emit('deleted');
      io.in(roomId).disconnectSockets(true);
    },
  };
}
