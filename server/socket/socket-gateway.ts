import type { Server as HttpServer } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import { Server, type Socket } from 'socket.io';
import {
  viewFor,
  type ClientToServerEvents,
  type InterServerEvents,
  type SeatId,
  type ServerToClientEvents,
  type SocketData,
} from '../../protocol';
import type { AuthGuard } from '../auth-guard';
import type { Broadcaster } from '../broadcaster';
import type { CommandService } from '../command-service';
import type { PresenceTracker } from '../presence';
import type { RoomService } from '../room-service';
import type { RoomWriter } from '../room-writer';

/** The typed Socket.IO server of Duologue. */
export type DuologueServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
type DuologueSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/** Socket.IO's own buffer limit: a larger message closes the connection (PROTOCOL.md section 3). */
export const MAX_MESSAGE_BYTES = 64 * 1024;

/** The Socket.IO room of every connection of one seat. */
export function seatChannel(roomId: string, seat: SeatId): string {
  return `${roomId}:${seat}`;
}

/** Creates the Socket.IO server on Fastify's HTTP server; handlers come with `bindSocketHandlers`. */
export function createSocketServer(httpServer: HttpServer, origin: string | undefined): DuologueServer {
  return new Server(httpServer, {
    maxHttpBufferSize: MAX_MESSAGE_BYTES,
    serveClient: false,
    cors: origin === undefined ? undefined : { origin: [origin] },
    // CORS headers do not bind a WebSocket: a browser page from another origin is refused
    // at the engine's handshake. Requests without an Origin (apps, tools) are not a browser's.
    allowRequest:
      origin === undefined
        ? undefined
        : (request, callback) => callback(null, request.headers.origin === undefined || request.headers.origin === origin),
  });
}

/** A broadcaster that reaches seats through their Socket.IO rooms. */
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

export interface SocketHandlerDeps {
  rooms: RoomService;
  commands: CommandService;
  writer: RoomWriter;
  presence: PresenceTracker;
  guard: AuthGuard;
  now: () => number;
  log: FastifyBaseLogger;
}

/**
 * The handshake checks `auth: { roomId, seatKey }`; a connection then gets its full
 * state at once, sends commands and time requests, and counts for presence.
 */
export function bindSocketHandlers(io: DuologueServer, deps: SocketHandlerDeps): void {
  io.use((socket, next) => {
    const auth: unknown = socket.handshake.auth;
    const { roomId, seatKey } = (typeof auth === 'object' && auth !== null ? auth : {}) as Record<string, unknown>;
    deps.guard
      .attempt(socket.handshake.address, () => deps.rooms.authenticate(roomId, seatKey))
      .then((result) => {
        if (result === 'rate_limited') return next(new Error('rate_limited'));
        if (!result.ok) return next(new Error(result.error.code));
        socket.data.roomId = result.value.room.id;
        socket.data.seat = result.value.seat;
        next();
      })
      .catch((error: unknown) => {
        deps.log.error({ err: error }, 'socket authentication failed');
        next(new Error('internal'));
      });
  });

  io.on('connection', (socket) => onConnection(socket, deps));
}

function onConnection(socket: DuologueSocket, deps: SocketHandlerDeps): void {
  const { roomId, seat } = socket.data;
  void socket.join([roomId, seatChannel(roomId, seat)]);
  const cameOnline = deps.presence.add(roomId, seat);
  const failed = (what: string) => (error: unknown) => deps.log.error({ err: error, roomId, seat }, what);
  deps.writer.read(roomId, (stored, now) => {
    if (stored === null) {
      // Deleted between the handshake and now: the disconnect for the room's sockets missed this one.
      socket.emit('deleted');
      socket.disconnect(true);
    } else if (cameOnline) {
      // Everyone learns this seat is online; the new socket gets its state with them.
      deps.writer.sendAll(stored.room, now);
    } else {
      socket.emit('state', viewFor(stored.room, seat, now, deps.presence.of(roomId)));
    }
  }).catch(failed('first state failed'));

  socket.on('command', (...args: unknown[]) => {
    // Socket.IO passes the ack callback last, whatever came before it (`emit('command', ack)`,
    // or extra arguments): every command with a callback deserves an answer. Anything but
    // exactly one payload is not a command, and is answered `invalid`.
    const last = args.at(-1);
    const reply = typeof last === 'function' ? (last as (answer: unknown) => void) : null;
    const body = args.length === (reply === null ? 1 : 2) ? args[0] : undefined;
    deps.commands
      .run(roomId, seat, body)
      .then((answer) => reply?.(answer))
      .catch(failed('command handler failed'));
  });

  socket.on('time', (...args: unknown[]) => {
    // As with commands, the callback is the last argument, whatever a client put before it.
    const ack = args.at(-1);
    if (typeof ack === 'function') (ack as (answer: { now: number }) => void)({ now: deps.now() });
  });

  socket.on('disconnect', () => {
    if (deps.presence.remove(roomId, seat)) deps.writer.publishAll(roomId).catch(failed('presence update failed'));
  });
}
