import type { Socket } from 'socket.io-client';

/**
 * A socket's place in Socket.IO's reconnection, read from Socket.IO's own events: between two
 * attempts (the line dropped, or an attempt failed, and the manager waits out its backoff, from
 * 1 s doubling up to 5 s) or not (connected, closed on purpose, or an attempt under way).
 */
export interface Backoff {
  /**
   * Starts the next attempt now if the socket waits between attempts; true when it did.
   * Leaving the waiting socket and connecting it again is Socket.IO's way to start afresh: its
   * manager closes, the backoff timer goes and a new attempt opens. Anything else is left as
   * it is, an attempt already under way included (a second call before it ends does nothing).
   */
  attemptNow(): boolean;
}

export function followBackoff(socket: Socket): Backoff {
  let waiting = false;
  socket.on('connect_error', () => (waiting = socket.active));
  socket.on('disconnect', () => (waiting = socket.active));
  socket.on('connect', () => (waiting = false));
  socket.io.on('reconnect_attempt', () => (waiting = false));
  return {
    attemptNow() {
      if (!waiting || !socket.active || socket.connected) return false;
      waiting = false;
      socket.disconnect();
      socket.connect();
      return true;
    },
  };
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
