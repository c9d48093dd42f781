import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LinkStatus } from '../../client/src/lib/moderator-link';

/**
 * The console's own connection to one room (`openRoomLink`), with a stand-in for Socket.IO's
 * socket: the test plays the network. What it checks is the console's side of a network that
 * comes back, which a browser test cannot time without waiting out Socket.IO's backoff.
 */
const fake = vi.hoisted(() => {
  type Handler = (...args: unknown[]) => void;
  const make = () => {
    const handlers = new Map<string, Handler[]>();
    const managerHandlers = new Map<string, Handler[]>();
    const fire = (map: Map<string, Handler[]>, event: string, ...args: unknown[]) => {
      for (const handler of map.get(event) ?? []) handler(...args);
    };
    const socket = {
      connected: false,
      active: false,
      connects: 0,
      disconnects: 0,
      io: {
        opts: {} as Record<string, unknown>,
        on(event: string, handler: Handler) {
          managerHandlers.set(event, [...(managerHandlers.get(event) ?? []), handler]);
        },
      },
      on(event: string, handler: Handler) {
        handlers.set(event, [...(handlers.get(event) ?? []), handler]);
      },
      emit: () => undefined,
      timeout: () => ({ emitWithAck: () => Promise.reject(new Error('no server here')) }),
      connect() {
        socket.active = true;
        socket.connects += 1;
      },
      disconnect() {
        socket.active = false;
        socket.connected = false;
        socket.disconnects += 1;
      },
      /** The line dropped (when it was up), then attempts fail: the manager keeps the socket active and waits out its backoff. */
      unreachable() {
        const wasConnected = socket.connected;
        socket.connected = false;
        socket.active = true;
        if (wasConnected) fire(handlers, 'disconnect', 'transport close');
        fire(handlers, 'connect_error', new Error('websocket error'));
      },
      /** The backoff is over: the manager's next attempt is under way. */
      attempting() {
        fire(managerHandlers, 'reconnect_attempt', 1);
      },
      /** The handshake went through. */
      accept() {
        socket.connected = true;
        fire(handlers, 'connect');
      },
      /** The server's middleware turned the key away. */
      refuse(message: string) {
        socket.active = false;
        fire(handlers, 'connect_error', new Error(message));
      },
    };
    return socket;
  };
  const all: Array<ReturnType<typeof make>> = [];
  return {
    all,
    next: () => {
      const socket = make();
      all.push(socket);
      return socket;
    },
  };
});

vi.mock('socket.io-client', () => ({ io: () => fake.next() }));

// The page's two signals that the network is back: `online` on the window, and the page shown again.
const page = { window: new EventTarget(), document: Object.assign(new EventTarget(), { visibilityState: 'visible' }) };
const { openRoomLink } = await import('../../client/src/lib/moderator-link');

function open() {
  const statuses: LinkStatus[] = [];
  const link = openRoomLink({ roomId: 'R'.repeat(22), seatKey: 'K'.repeat(43) }, { state: () => undefined, status: (s) => statuses.push(s), offset: () => undefined });
  const socket = fake.all.at(-1)!;
  // Opening connects once; the counts below are what came after.
  socket.connects = 0;
  return { link, socket, statuses };
}

describe("the console's connection to a room, when the network comes back", () => {
  beforeAll(() => {
    vi.stubGlobal('window', page.window);
    vi.stubGlobal('document', page.document);
  });
  afterAll(() => vi.unstubAllGlobals());
  beforeEach(() => {
    page.document.visibilityState = 'visible';
  });

  it("starts the next attempt at once instead of waiting out Socket.IO's backoff", () => {
    const { link, socket, statuses } = open();
    socket.unreachable();
    expect(statuses.at(-1)).toBe('reconnecting');
    const said = statuses.length;
    page.window.dispatchEvent(new Event('online'));
    // The waiting socket leaves its manager, and with it the backoff's timer, and connects afresh.
    expect(socket.disconnects).toBe(1);
    expect(socket.connects).toBe(1);
    expect(socket.active).toBe(true);
    // The console says it is trying again now.
    expect(statuses.slice(said)).toEqual(['reconnecting']);
    // The network's return and the console shown again often come together: still one attempt.
    page.document.dispatchEvent(new Event('visibilitychange'));
    expect(socket.connects).toBe(1);
    link.close();
  });

  it('also tries at once when the console is shown again, but not while it is hidden', () => {
    const { link, socket } = open();
    socket.unreachable();
    page.document.visibilityState = 'hidden';
    page.document.dispatchEvent(new Event('visibilitychange'));
    expect(socket.connects).toBe(0);
    page.document.visibilityState = 'visible';
    page.document.dispatchEvent(new Event('visibilitychange'));
    expect(socket.connects).toBe(1);
    link.close();
  });

  it('leaves a connected link, and an attempt already under way, as they are', () => {
    const { link, socket } = open();
    socket.accept();
    page.window.dispatchEvent(new Event('online'));
    expect(socket.disconnects).toBe(0);

    // The line drops; the manager's next attempt has begun when the network's return is heard.
    socket.unreachable();
    expect(socket.connected).toBe(false);
    socket.attempting();
    page.window.dispatchEvent(new Event('online'));
    expect(socket.disconnects).toBe(0);
    expect(socket.connects).toBe(0);
    link.close();
  });

  it('stops listening for the network once a link is closed on purpose or its key was refused', () => {
    // A console that opened and closed many rooms must not keep a listener for each.
    const unlisten = vi.spyOn(page.window, 'removeEventListener');
    const hidden = vi.spyOn(page.document, 'removeEventListener');
    const closed = open();
    closed.socket.unreachable();
    closed.link.close();
    const afterClose = closed.socket.disconnects;

    const refused = open();
    refused.socket.refuse('unauthorized');
    expect(refused.statuses.at(-1)).toBe('refused');

    page.window.dispatchEvent(new Event('online'));
    page.document.dispatchEvent(new Event('visibilitychange'));
    expect(closed.socket.connects).toBe(0);
    expect(closed.socket.disconnects).toBe(afterClose);
    expect(closed.statuses.at(-1)).toBe('closed');
    expect(refused.socket.connects).toBe(0);
    expect(refused.statuses.at(-1)).toBe('refused');
    // Both links let go of the window's `online` and the page's `visibilitychange`.
    expect(unlisten.mock.calls.filter(([event]) => event === 'online')).toHaveLength(2);
    expect(hidden.mock.calls.filter(([event]) => event === 'visibilitychange')).toHaveLength(2);
    unlisten.mockRestore();
    hidden.mockRestore();
  });
});
