import type { Socket } from 'socket.io-client';

/**
 * Whether a socket sits between two of Socket.IO's attempts: the line dropped, or an attempt
 * failed, and the manager waits out its backoff (from 1 s, doubling, up to 5 s) before the
 * next. Read from Socket.IO's own events; an attempt under way is not waiting.
 */
export interface Backoff {
  waiting(): boolean;
}

export function followBackoff(socket: Socket): Backoff {
  let waiting = false;
  socket.on('connect_error', () => (waiting = socket.active));
  socket.on('disconnect', () => (waiting = socket.active));
  socket.on('connect', () => (waiting = false));
  socket.io.on('reconnect_attempt', () => (waiting = false));
  return {
    waiting: () => waiting && socket.active && !socket.connected,
  };
}

/**
 * Starts a connection's next attempt now when it is waiting out Socket.IO's backoff. Leaving
 * the waiting socket and connecting it again is Socket.IO's way to start afresh: its manager
 * closes, the backoff timer goes and a new attempt opens. A connected socket, one closed on
 * purpose and one whose attempt is under way are left as they are. True when an attempt started.
 */
export function attemptNow(socket: Socket, backoff: Backoff): boolean {
  if (!backoff.waiting()) return false;
  socket.disconnect();
  socket.connect();
  return true;
}

/**
 * Calls `then` when the network comes back, or the page is shown again (a phone unlocked, a tab
 * brought back), the moments a waiting connection should not wait any longer. Returns the way
 * to stop listening.
 */
export function onNetworkReturn(then: () => void): () => void {
  if (typeof window === 'undefined') return () => undefined;
  const shown = (): void => {
    if (document.visibilityState === 'visible') then();
  };
  window.addEventListener('online', then);
  document.addEventListener('visibilitychange', shown);
  return () => {
    window.removeEventListener('online', then);
    document.removeEventListener('visibilitychange', shown);
  };
}
