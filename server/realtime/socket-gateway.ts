import type { Server as HttpServer } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import { Server, type ServerOptions, type Socket } from 'socket.io';
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents, SocketData } from '../../protocol';
import type { AuthGuard } from '../rooms/auth-guard';
import type { RoomHost } from '../rooms/room-host';
import type { RoomService } from '../rooms/room-service';
import { seatChannel } from './broadcaster';
import { securityHeaders } from '../http/security-headers';
import type { CallRelay } from './call-relay';

/** The typed Socket.IO server of Duologue. */
export type DuologueServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
type DuologueSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/** Socket.IO's own buffer limit: a larger message closes the connection (PROTOCOL.md section 3). */
export const MAX_MESSAGE_BYTES = 64 * 1024;

/**
 * Creates the Socket.IO server on Fastify's HTTP server; handlers come with `bindSocketHandlers`.
 * `shared` adds what several processes need (the Redis adapter, connection state recovery).
 */
export function createSocketServer(httpServer: HttpServer, origin: string | undefined, shared: Partial<ServerOptions> = {}): DuologueServer {
  const io: DuologueServer = new Server(httpServer, {
    ...shared,
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
  // The engine answers its own requests (the handshake, long-polling with states in them)
  // before Fastify's hooks could add anything: it gets the same security headers here.
  const extra = securityHeaders();
  const addHeaders = (headers: Record<string, string>) => Object.assign(headers, extra);
  io.engine.on('initial_headers', addHeaders);
  io.engine.on('headers', addHeaders);
  return io;
}

export interface SocketHandlerDeps {
  rooms: RoomService;
  host: RoomHost;
  call: CallRelay;
  guard: AuthGuard;
  now: () => number;
  log: FastifyBaseLogger;
}

/**
 * The socket gateway: the handshake checks `auth: { roomId, seatKey }`; a connection
 * then hands its events to the room's host (first state, commands, presence) and
 * answers time requests itself.
 */
export function bindSocketHandlers(io: DuologueServer, deps: SocketHandlerDeps): void {
  // One connection (Engine.IO session) carries one seat. Socket.IO would open a socket for every
  // CONNECT packet it is sent, even while an earlier one is still being checked, and a single
  // polling request can carry hundreds: each would hold memory and get every state, and none
  // would count against the per-address connection cap. A connection is taken from its first
  // CONNECT until that socket is refused or disconnects.
  const taken = new WeakSet<object>();
  io.use((socket, next) => {
    const conn = socket.conn;
    if (taken.has(conn)) return next(new Error('invalid'));
    taken.add(conn);
    const refuse = (code: string) => {
      taken.delete(conn);
      next(new Error(code));
    };
    const auth: unknown = socket.handshake.auth;
    const { roomId, seatKey } = (typeof auth === 'object' && auth !== null ? auth : {}) as Record<string, unknown>;
    deps.guard
      .attempt(socket.handshake.address, () => deps.rooms.authenticate(roomId, seatKey))
      .then(async (result) => {
        if (result === 'rate_limited') return refuse('rate_limited');
        if (!result.ok) return refuse(result.error.code);
        const { room, seat } = result.value;
        // The right key, but this seat opened too many connections this minute.
        const admitted = await deps.host.admit(room.id, seat);
        if (admitted !== 'ok') return refuse(admitted);
        socket.data.roomId = room.id;
        socket.data.seat = seat;
        next();
      })
      .catch((error: unknown) => {
        deps.log.error({ err: error }, 'socket authentication failed');
        refuse('internal');
      });
  });

  io.on('connection', (socket) => {
    // Taken here too, in case a socket ever connects without the check above (connection state
    // recovery could skip it, though this server has it run the check again).
    taken.add(socket.conn);
    socket.on('disconnect', () => taken.delete(socket.conn));
    onConnection(socket, deps);
  });
}

function onConnection(socket: DuologueSocket, deps: SocketHandlerDeps): void {
  const { roomId, seat } = socket.data;
  void socket.join([roomId, seatChannel(roomId, seat)]);
  const failed = (what: string) => (error: unknown) => deps.log.error({ err: error, roomId, seat }, what);
  deps.host
    .connect(roomId, seat, {
      state: (view) => socket.emit('state', view),
      gone: () => {
        socket.emit('deleted');
        socket.disconnect(true);
      },
    })
    .catch(failed('first state failed'));

  socket.on('command', (...args: unknown[]) => {
    const { body, reply } = payloadAndReply(args);
    deps.host
      .command(roomId, seat, body)
      .then((answer) => reply?.(answer))
      .catch(failed('command handler failed'));
  });

  socket.on('call:signal', (...args: unknown[]) => {
    const { body, reply } = payloadAndReply(args);
    deps.call
      .signal(roomId, seat, body)
      .then((answer) => reply?.(answer))
      .catch(failed('call signal failed'));
  });

  socket.on('call:config', (...args: unknown[]) => {
    const ack = args.at(-1);
    if (typeof ack !== 'function') return;
    deps.call
      .config(roomId, seat)
      .then((answer) => (ack as (answer: unknown) => void)(answer))
      .catch(failed('call config failed'));
  });

  socket.on('time', (...args: unknown[]) => {
    // As with commands, the callback is the last argument, whatever a client put before it.
    const ack = args.at(-1);
    if (typeof ack === 'function') (ack as (answer: { now: number }) => void)({ now: deps.now() });
  });

  socket.on('disconnect', () => {
    deps.host.disconnect(roomId, seat).catch(failed('presence update failed'));
  });
}

/**
 * An event's one payload and its ack callback. Socket.IO passes the callback last, whatever came
 * before it (`emit('command', ack)`, or extra arguments): every event with a callback deserves an
 * answer. Anything but exactly one payload is no payload (`undefined`), which is answered `invalid`.
 */
function payloadAndReply(args: unknown[]): { body: unknown; reply: ((answer: unknown) => void) | null } {
  const last = args.at(-1);
  const reply = typeof last === 'function' ? (last as (answer: unknown) => void) : null;
  return { body: args.length === (reply === null ? 1 : 2) ? args[0] : undefined, reply };
}
