import { io } from 'socket.io-client';
import type { SocketAuth } from '@protocol/events';
import type { Command, CommandAck, CommandInput, StateView } from '@protocol/schemas';
import { measureOffset } from './clock-offset';
import { newCommandId } from './command-id';
import { followBackoff, onNetworkReturn } from './network-return';
import type { DuologueSocket } from './socket';
import { fallBackOnTimeout, TRANSPORTS } from './transports';

/**
 * One room's own real-time connection, for the moderator's console, which watches several
 * rooms at once. The phone's tab-wide socket (`socket.ts`) serves one seat at a time; here
 * every room gets a socket of its own (`forceNew`), typed with the same reversed event maps.
 */

/** Where one room's connection stands. */
export type LinkStatus = 'connecting' | 'online' | 'reconnecting' | 'refused' | 'deleted' | 'closed';

export interface LinkListener {
  state(view: StateView): void;
  status(status: LinkStatus, refusal?: string): void;
  /** The server's clock minus this device's, measured after each connect. */
  offset(ms: number): void;
}

export interface RoomLink {
  /** Sends a command with a fresh id; it waits through a drop and goes out again with that id. */
  send(input: CommandInput, rev?: number): Promise<CommandAck>;
  /** Closes the connection on purpose; unanswered commands resolve as not sent. */
  close(): void;
}

const RETRY_MS = 1000;
/** After a handshake refused for a while (`rate_limited`): wait longer, so retries do not add up. */
const REFUSED_RETRY_MS = 5000;
const REFUSALS = new Set(['unauthorized', 'room_not_found']);
const NOT_SENT: CommandAck = { ok: false, error: { code: 'network', message: '' } };

/** Opens the connection of one moderator seat and reports what it hears to `on`. */
export function openRoomLink(auth: SocketAuth, on: LinkListener): RoomLink {
  const socket: DuologueSocket = io({ forceNew: true, autoConnect: false, auth: { ...auth }, ...TRANSPORTS });
  const pending = new Map<string, { command: Command; resolve: (ack: CommandAck) => void }>();
  let closed = false;

  function transmit(command: Command): void {
    socket.emit('command', command, (ack) => {
      const waiting = pending.get(command.id);
      if (waiting === undefined) return; // answered already, through an earlier send
      pending.delete(command.id);
      waiting.resolve(ack);
    });
  }

  async function measureClock(): Promise<void> {
    const offset = await measureOffset(socket);
    if (offset !== null) on.offset(offset);
  }

  function retryAfter(ms: number): void {
    setTimeout(() => {
      if (!closed && !socket.connected && !socket.active) socket.connect();
    }, ms);
  }

  socket.io.on('reconnect_attempt', () => on.status('reconnecting'));
  socket.on('connect', () => {
    for (const { command } of pending.values()) transmit(command);
    void measureClock();
  });
  socket.on('state', (view) => {
    on.state(view);
    on.status('online');
  });
  socket.on('deleted', () => {
    closed = true;
    stopWatching();
    on.status('deleted');
    socket.disconnect();
  });
  socket.on('disconnect', (reason) => {
    if (closed) return;
    on.status('reconnecting');
    // A server that closes its sockets on purpose (a restart) is not followed by Socket.IO's own
    // reconnection; the seat key still opens the seat.
    if (reason === 'io server disconnect') retryAfter(RETRY_MS);
  });
  fallBackOnTimeout(socket);
  socket.on('connect_error', (error) => {
    if (REFUSALS.has(error.message)) {
      closed = true;
      stopWatching();
      on.status('refused', error.message);
      return;
    }
    on.status('reconnecting');
    // A refusal by the server's middleware (rate_limited) ends Socket.IO's own retries.
    if (!socket.active) retryAfter(REFUSED_RETRY_MS);
  });

  // The network back, or the console shown again: a link waiting between attempts tries now.
  const backoff = followBackoff(socket);
  const stopWatching = onNetworkReturn(() => {
    if (!closed && backoff.attemptNow()) on.status('reconnecting');
  });

  on.status('connecting');
  socket.connect();

  return {
    send(input, rev) {
      const command = { ...input, id: newCommandId(), ...(rev === undefined ? {} : { rev }) } as Command;
      return new Promise((resolve) => {
        if (closed) return resolve(NOT_SENT);
        pending.set(command.id, { command, resolve });
        // A disconnected socket would buffer the emit itself; the connect handler resends instead.
        if (socket.connected) transmit(command);
      });
    },
    close() {
      closed = true;
      stopWatching();
      socket.disconnect();
      for (const { resolve } of pending.values()) resolve(NOT_SENT);
      pending.clear();
      on.status('closed');
    },
  };
}
