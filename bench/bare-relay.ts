/**
 * The baseline of the bench: a bare Socket.IO 4.8 relay with no rules and no storage.
 * A socket joins the room named in its handshake's `auth.roomId`; every event it sends
 * is re-emitted to the other members of that room, and acknowledged to the sender at once.
 * It is what any real-time server on Socket.IO pays before doing any work of its own.
 *
 *   PORT=4000 node --import tsx bench/bare-relay.ts
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const port = Number(process.env.PORT ?? 0);
const http = createServer();
const io = new Server(http, { serveClient: false, maxHttpBufferSize: 64 * 1024 });

io.on('connection', (socket) => {
  const auth: unknown = socket.handshake.auth;
  const roomId = typeof auth === 'object' && auth !== null ? (auth as { roomId?: unknown }).roomId : undefined;
  if (typeof roomId !== 'string') {
    socket.disconnect(true);
    return;
  }
  void socket.join(roomId);
  socket.onAny((event: string, ...args: unknown[]) => {
    // Socket.IO hands an acknowledgement callback over as the last argument.
    const last = args.at(-1);
    const ack = typeof last === 'function' ? (last as (answer: unknown) => void) : null;
    const payload = ack === null ? args : args.slice(0, -1);
    socket.to(roomId).emit(event, ...payload);
    ack?.({ ok: true });
  });
});

http.listen(port, '127.0.0.1');

const stop = (): void => {
  io.close(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
