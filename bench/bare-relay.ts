/**
 * The baseline of the bench: a bare Socket.IO 4.8 relay with no rules and no storage.
 * A socket joins the room named in its handshake's `auth.roomId`; every event it sends
 * is re-emitted to the other members of that room, and acknowledged to the sender at once.
 * It is what any real-time server on Socket.IO pays before doing any work of its own.
 *
 *   PORT=4000 node --import tsx bench/bare-relay.ts
 */
import { startRelayServer } from './relay-server';

startRelayServer({
  onEvent({ socket, roomId, event, payload, ack }) {
    socket.to(roomId).emit(event, ...payload);
    ack?.({ ok: true });
  },
});
