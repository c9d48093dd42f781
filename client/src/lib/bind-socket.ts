import type { SocketAuth } from '@protocol/events';
import { useConnectionStore } from '../stores/connection';
import { useRoomStore } from '../stores/room';
import { measureOffset } from './clock-offset';
import { resendPending } from './command-queue';
import { retryDelay } from './retry-delay';
import { followBackoff, onNetworkReturn, type Backoff } from './network-return';
import { forgetSeat } from './seat-keys';
import { socket } from './socket';
import { fallBackOnTimeout } from './transports';

const SERVER_CLOSE_RETRY_MS = 1000;
/** Refusals no retry can change: the key opens no seat, or the room is gone. */
const FINAL_REFUSALS = new Set(['unauthorized', 'room_not_found']);
let bound = false;
/** Refusals in a row since the last connection, for the backoff. */
let attempt = 0;
let retryTimer: ReturnType<typeof setTimeout> | null = null;
/** Whether the socket waits between Socket.IO's own attempts (set when the events are bound). */
let backoff: Backoff | null = null;

function cancelRetry(): void {
  if (retryTimer !== null) clearTimeout(retryTimer);
  retryTimer = null;
}

/** Connects again unless the socket is on its way already or the room was left. */
function tryAgain(): void {
  cancelRetry();
  const auth = socket.auth as Partial<SocketAuth> | undefined;
  if (socket.connected || socket.active || !auth?.seatKey) return;
  useConnectionStore().connecting();
  socket.connect();
}

/** The banner's "Try now": the next try goes out at once instead of after its wait. */
export function retryNow(): void {
  tryAgain();
}

/** The network is back, or the page is shown again: a connection waiting between attempts tries now. */
export function reconnectNow(): void {
  if (backoff?.attemptNow()) useConnectionStore().connecting();
}

async function measureClock(setOffset: (ms: number) => void): Promise<void> {
  const offset = await measureOffset(socket);
  if (offset !== null) setOffset(offset);
}

/** Binds the socket's events to the stores, once, from the root component. */
export function bindSocket(): void {
  if (bound) return;
  bound = true;
  const connection = useConnectionStore();
  const room = useRoomStore();

  backoff = followBackoff(socket);
  socket.io.on('reconnect_attempt', () => connection.connecting());
  socket.on('connect', () => {
    attempt = 0;
    cancelRetry();
    connection.connected();
    resendPending();
    void measureClock(connection.setOffset);
  });
  socket.on('disconnect', (reason) => {
    if (reason === 'io client disconnect' || room.deleted) {
      connection.closed();
      return;
    }
    connection.lost();
    // A server that closes sockets on purpose (a restart) is not followed by Socket.IO's own
    // reconnection; the seat key still opens the seat, so come back as it would.
    if (reason === 'io server disconnect') setTimeout(tryAgain, SERVER_CLOSE_RETRY_MS);
  });
  fallBackOnTimeout(socket);
  socket.on('connect_error', (error) => {
    if (FINAL_REFUSALS.has(error.message)) {
      cancelRetry();
      connection.refused(error.message);
      // A room that is gone (deleted, or expired) is forgotten here too: the start screen's way
      // back to "your talk" must not lead to it again.
      // The refusal is for the room this socket asked for, which the phone may have left since.
      const asked = (socket.auth as Partial<SocketAuth> | undefined)?.roomId;
      if (error.message === 'room_not_found' && typeof asked === 'string') forgetSeat(asked);
      return;
    }
    // A network failure: Socket.IO's manager keeps trying by itself, and the socket stays active.
    if (socket.active) {
      connection.lost();
      return;
    }
    // The server's middleware turned the handshake away for now (`rate_limited`, `internal`).
    // Socket.IO never retries that by itself; the phone does, with a growing, jittered wait.
    const delay = retryDelay(attempt);
    attempt += 1;
    cancelRetry();
    connection.waiting(Date.now() + delay);
    retryTimer = setTimeout(tryAgain, delay);
  });
  socket.on('state', (view) => {
    room.receive(view);
    connection.stateArrived();
  });
  socket.on('deleted', () => {
    room.markDeleted();
  });
  onNetworkReturn(reconnectNow);
}
