/**
 * What both relays of the bench share: Socket.IO 4.8 on a plain HTTP server on `PORT`
 * (loopback), a socket joining the room named in its handshake's `auth.roomId`, each event
 * handed over with its acknowledgement split off, and a clean stop on SIGTERM or SIGINT.
 */
import { createServer } from 'node:http';
import { Server, type Socket } from 'socket.io';

/** The acknowledgement callback an event came with, or null. */
export type Ack = ((answer: unknown) => void) | null;

export interface RelayEvent {
  socket: Socket;
  roomId: string;
  /** The handshake's `auth` (an object: a socket without a string `roomId` is turned away). */
  auth: Record<string, unknown>;
  event: string;
  /** The event's arguments, the acknowledgement taken off. */
  payload: unknown[];
  ack: Ack;
}

export function startRelayServer(handlers: {
  /** A further condition on the handshake; a socket that fails it is disconnected. */
  accepts?: (auth: Record<string, unknown>) => boolean;
  onEvent: (event: RelayEvent) => void;
  /** Runs once the server has closed, before the process exits. */
  onStop?: () => void;
}): Server {
  const http = createServer();
  const io = new Server(http, { serveClient: false, maxHttpBufferSize: 64 * 1024 });

  io.on('connection', (socket) => {
    const raw: unknown = socket.handshake.auth;
    const auth = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
    const roomId = auth.roomId;
    if (typeof roomId !== 'string' || (handlers.accepts !== undefined && !handlers.accepts(auth))) {
      socket.disconnect(true);
      return;
    }
    void socket.join(roomId);
    socket.onAny((event: string, ...args: unknown[]) => {
      // Socket.IO hands an acknowledgement callback over as the last argument.
      const last = args.at(-1);
      const ack: Ack = typeof last === 'function' ? (last as (answer: unknown) => void) : null;
      handlers.onEvent({ socket, roomId, auth, event, payload: ack === null ? args : args.slice(0, -1), ack });
    });
  });

  http.listen(Number(process.env.PORT ?? 0), '127.0.0.1');

  const stop = (): void => {
    io.close(() => {
      handlers.onStop?.();
      process.exit(0);
    });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  return io;
}
