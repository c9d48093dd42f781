import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';

/** A stand-in for the tab's one Socket.IO socket: the test plays the server's answers. */
const fake = vi.hoisted(() => {
  type Handler = (...args: unknown[]) => void;
  const handlers = new Map<string, Handler[]>();
  const managerHandlers = new Map<string, Handler[]>();
  const socket = {
    connected: false,
    active: false,
    auth: { roomId: 'R'.repeat(22), seatKey: 'K'.repeat(22) } as Record<string, string>,
    io: {
      on(event: string, handler: Handler) {
        managerHandlers.set(event, [...(managerHandlers.get(event) ?? []), handler]);
      },
    },
    connect: () => {
      socket.active = true;
      socket.connects += 1;
    },
    connects: 0,
    /** Socket.IO's `disconnect()`: the socket leaves its manager and will not reconnect by itself. */
    disconnect: () => {
      socket.active = false;
      socket.connected = false;
      socket.disconnects += 1;
    },
    disconnects: 0,
    on(event: string, handler: Handler) {
      handlers.set(event, [...(handlers.get(event) ?? []), handler]);
    },
    /** Socket.IO after a refusal from the server's middleware: the socket is no longer active. */
    refuse(message: string) {
      socket.active = false;
      for (const handler of handlers.get('connect_error') ?? []) handler(new Error(message));
    },
    /** A handshake that went through: the phone's count of refusals starts again. */
    accept() {
      for (const handler of handlers.get('connect') ?? []) handler();
      socket.connects = 0;
      socket.disconnects = 0;
      socket.active = false;
    },
    /** A network failure: the manager keeps the socket active and retries by itself. */
    unreachable() {
      socket.active = true;
      for (const handler of handlers.get('connect_error') ?? []) handler(new Error('xhr poll error'));
    },
    /** The manager's backoff is over: its next attempt is under way. */
    attempting() {
      for (const handler of managerHandlers.get('reconnect_attempt') ?? []) handler(1);
    },
  };
  return socket;
});

vi.mock('../../client/src/lib/socket', () => ({ socket: fake, openRoomSocket: () => true, closeRoomSocket: () => undefined }));

const { bindSocket, reconnectNow, retryNow } = await import('../../client/src/lib/bind-socket');
const { useConnectionStore } = await import('../../client/src/stores/connection');
const { retryDelay, FIRST_RETRY_MS, MAX_RETRY_MS } = await import('../../client/src/lib/retry-delay');

describe('a phone whose handshake the server turns away', () => {
  beforeAll(() => {
    // The socket's events are bound once per tab, to one set of stores.
    setActivePinia(createPinia());
    bindSocket();
  });
  beforeEach(() => {
    vi.useFakeTimers();
    fake.accept();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('tries again by itself after `rate_limited`, says when, and waits longer each time', async () => {
    const connection = useConnectionStore();
    fake.refuse('rate_limited');
    expect(connection.status).toBe('waiting');
    expect(connection.showReconnecting).toBe(true);
    const first = connection.retryInSeconds!;
    expect(first).toBeGreaterThanOrEqual(1);
    expect(first).toBeLessThanOrEqual(FIRST_RETRY_MS / 1000);
    expect(fake.connects).toBe(0);
    await vi.advanceTimersByTimeAsync(FIRST_RETRY_MS);
    expect(fake.connects).toBe(1);
    expect(connection.status).not.toBe('waiting');

    fake.refuse('internal');
    expect(connection.status).toBe('waiting');
    const waitMs = connection.retryAt! - Date.now();
    expect(waitMs).toBeGreaterThanOrEqual(FIRST_RETRY_MS);
    expect(waitMs).toBeLessThanOrEqual(2 * FIRST_RETRY_MS);
    await vi.advanceTimersByTimeAsync(2 * FIRST_RETRY_MS);
    expect(fake.connects).toBe(2);
  });

  it('goes at once on "Try now"', () => {
    const connection = useConnectionStore();
    fake.refuse('rate_limited');
    retryNow();
    expect(fake.connects).toBe(1);
    expect(connection.retryAt).toBeNull();
  });

  it('stays refused for a key that opens nothing or a room that is gone', async () => {
    const connection = useConnectionStore();
    for (const final of ['unauthorized', 'room_not_found']) {
      fake.refuse(final);
      expect(connection.status).toBe('refused');
      expect(connection.refusal).toBe(final);
      await vi.advanceTimersByTimeAsync(5 * MAX_RETRY_MS);
      expect(fake.connects).toBe(0);
    }
  });

  it("leaves a network failure to Socket.IO's own reconnection", async () => {
    const connection = useConnectionStore();
    fake.unreachable();
    expect(connection.status).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(5 * MAX_RETRY_MS);
    expect(fake.connects).toBe(0);
  });

  it("starts Socket.IO's next attempt at once when the network comes back", () => {
    const connection = useConnectionStore();
    fake.unreachable();
    reconnectNow();
    // The network's return and the page shown again often come together: one new attempt.
    reconnectNow();
    // The waiting socket leaves its manager (its backoff timer with it) and connects afresh.
    expect(fake.disconnects).toBe(1);
    expect(fake.connects).toBe(1);
    expect(fake.active).toBe(true);
    expect(['connecting', 'reconnecting']).toContain(connection.status);
  });

  it('leaves an attempt already under way to finish', () => {
    fake.unreachable();
    fake.attempting();
    reconnectNow();
    expect(fake.disconnects).toBe(0);
    expect(fake.connects).toBe(0);
    // It fails too: the wait before the next one is cut short again.
    fake.unreachable();
    reconnectNow();
    expect(fake.connects).toBe(1);
  });

  it('leaves a connected socket, and one closed on purpose, as they are', () => {
    fake.connected = true;
    fake.active = true;
    reconnectNow();
    fake.connected = false;
    fake.active = false;
    reconnectNow();
    expect(fake.disconnects).toBe(0);
    expect(fake.connects).toBe(0);
  });
});

describe('the wait between tries', () => {
  it('doubles from 2 s to at most 30 s, with half of it random', () => {
    expect(retryDelay(0, () => 0)).toBe(FIRST_RETRY_MS / 2);
    expect(retryDelay(0, () => 1)).toBe(FIRST_RETRY_MS);
    expect(retryDelay(2, () => 1)).toBe(4 * FIRST_RETRY_MS);
    expect(retryDelay(10, () => 1)).toBe(MAX_RETRY_MS);
    expect(retryDelay(10, () => 0)).toBe(MAX_RETRY_MS / 2);
  });
});
