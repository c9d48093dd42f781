import type { Socket } from 'socket.io-client';

/**
 * Starts a connection's next attempt now when it is waiting out Socket.IO's own backoff, which
 * grows to 5 s between attempts while the line is down. Leaving the waiting socket and connecting
 * it again is Socket.IO's way to start afresh: its manager closes, the backoff timer goes and a
 * new attempt opens. A connected socket, and one closed on purpose, are left as they are.
 * True when an attempt was started.
 */
export function attemptNow(socket: Socket): boolean {
  if (socket.connected || !socket.active) return false;
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
