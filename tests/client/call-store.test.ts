import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { nextTick } from 'vue';
import type { StateView } from '../../protocol';

/** What the stand-in socket was asked to send, and the handlers the stores bound. */
const sent: Array<{ event: string; payload: unknown }> = [];
const handlers = new Map<string, (payload: never) => void>();
const socket = {
  on: (event: string, handler: (payload: never) => void) => handlers.set(event, handler),
  io: { on: () => undefined },
  emit: (event: string, payload: unknown) => sent.push({ event, payload }),
  timeout: () => ({
    emit: (event: string, ack: (error: Error | null, answer: unknown) => void) => {
      sent.push({ event, payload: null });
      const answer = () => ack(null, { ok: true, iceServers: [], iceTransportPolicy: 'relay' });
      if (config.answer === 'timeout') ack(new Error('operation has timed out'), undefined);
      else if (config.answer === 'held') config.release = answer;
      else answer();
    },
  }),
};
/** How the stand-in server answers `call:config`: at once, never (a timeout), or when released. */
const config = { answer: 'ok' as 'ok' | 'timeout' | 'held', release: null as (() => void) | null };
vi.mock('../../client/src/lib/socket', () => ({ socket, openRoomSocket: () => false, closeRoomSocket: () => undefined }));

/** The WebRTC side stands in too: Node has no RTCPeerConnection. It records what the store asks of it. */
const engine = {
  microphone: 'stream' as 'stream' | 'denied',
  opened: 0,
  muted: [] as boolean[],
  stopped: 0,
  built: 0,
  /** How often the peer said hello (the real one sends `{ kind: 'hello', link }`). */
  hellos: 0,
  /** Every signal the store handed to the peer. */
  received: [] as unknown[],
  /** The peer's construction throws (a browser without a working RTCPeerConnection). */
  failToBuild: false,
  /** What the store gave the last peer to report through. */
  hooks: null as { status: (status: string) => void } | null,
  /** The peer's own connection, and whether a connection of the partner's is paired with it. */
  link: 'link-of-A-mine',
  paired: false,
};
vi.mock('../../client/src/lib/call/peer-call', () => ({
  openMicrophone: async () => {
    engine.opened += 1;
    return engine.microphone === 'denied' ? 'denied' : { getTracks: () => [{ stop: () => void (engine.stopped += 1) }] };
  },
  PeerCall: class {
    constructor(_mic: unknown, _polite: boolean, _config: unknown, hooks: { status: (status: string) => void }) {
      if (engine.failToBuild) throw new Error('RTCPeerConnection is not available');
      engine.built += 1;
      engine.hooks = hooks;
      // As the real one: its first connection is on its way.
      hooks.status('connecting');
    }
    setMuted(muted: boolean) {
      engine.muted.push(muted);
    }
    hello() {
      engine.hellos += 1;
    }
    rejoin() {
      engine.hellos += 1;
    }
    receive(signal: unknown) {
      engine.received.push(signal);
      return Promise.resolve();
    }
    close() {}
    restart() {}
    declinedBy(to: string) {
      return to === engine.link && !engine.paired;
    }
  },
}));

function storage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (key) => items.get(key) ?? null,
    key: (index) => [...items.keys()][index] ?? null,
    removeItem: (key) => void items.delete(key),
    setItem: (key, value) => void items.set(key, String(value)),
  };
}
vi.stubGlobal('sessionStorage', storage());
vi.stubGlobal('localStorage', storage());

const { useRoomStore } = await import('../../client/src/stores/room');
const { useCallStore } = await import('../../client/src/stores/call');
const { useConnectionStore } = await import('../../client/src/stores/connection');

const ROOM = 'R'.repeat(22);

function view(you: 'A' | 'B' | 'moderator', over: Partial<StateView> = {}): StateView {
  return {
    roomId: ROOM,
    rev: 3,
    serverNow: 0,
    you,
    topic: '',
    method: 'imago',
    settings: { breakMinutes: 20, minuteMs: 60_000 },
    phase: 'dialogue',
    seats: {
      A: { name: 'Alex', joined: true, online: true, checkedIn: true },
      B: { name: 'Sam', joined: true, online: true, checkedIn: true },
      moderator: null,
    },
    checkin: null,
    floor: { speaker: 'A', listener: 'B', step: 'share', turn: 1, clarifying: false, stepSince: 0 },
    break: null,
    paused: false,
    appointment: null,
    repairs: [],
    coach: [],
    notes: [],
    timeline: [],
    ...over,
  } as StateView;
}

const BREAK = { by: 'A' as const, startedAt: 0, minUntil: 1, returnAt: 2, due: false, ready: { A: false, B: false } };

describe('the call store', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    // The phone is connected and has its state: the call may start.
    const connection = useConnectionStore();
    connection.connected();
    connection.stateArrived();
    sent.length = 0;
    engine.microphone = 'stream';
    engine.opened = 0;
    engine.muted = [];
    engine.stopped = 0;
    engine.built = 0;
    engine.hellos = 0;
    engine.received = [];
    engine.failToBuild = false;
    engine.paired = false;
    config.answer = 'ok';
    config.release = null;
    sessionStorage.clear();
  });

  it("does not start without the server's call settings, and says so", async () => {
    const room = useRoomStore();
    room.receive(view('A'));
    const call = useCallStore();
    config.answer = 'timeout';
    await call.start();
    expect(call.problem).toBe('noConfig');
    expect(call.status).toBe('idle');
    expect(engine.built).toBe(0);
    expect(engine.stopped).toBe(1);
    expect(sent.filter((s) => s.event === 'call:signal')).toEqual([]);
    expect(engine.hellos).toBe(0);
  });

  it('lets go of the microphone when the call is hung up while its settings are on their way', async () => {
    const room = useRoomStore();
    room.receive(view('A'));
    const call = useCallStore();
    config.answer = 'held';
    const starting = call.start();
    await vi.waitFor(() => expect(config.release).not.toBeNull());
    call.hangUp();
    config.release!();
    await starting;
    expect(engine.built).toBe(0);
    expect(engine.stopped).toBe(1);
    expect(call.status).toBe('idle');
    expect(engine.hellos).toBe(0);
  });

  it('asks for the microphone only on a tap, and explains a refusal without starting anything', async () => {
    const room = useRoomStore();
    room.receive(view('B'));
    const call = useCallStore();
    await nextTick();
    expect(call.available).toBe(true);
    expect(engine.opened).toBe(0);

    engine.microphone = 'denied';
    await call.start();
    expect(engine.opened).toBe(1);
    expect(call.problem).toBe('denied');
    expect(call.status).toBe('idle');
    expect(sent).toEqual([]);
  });

  it('starts nothing while the connection is down', async () => {
    const room = useRoomStore();
    room.receive(view('A'));
    const call = useCallStore();
    useConnectionStore().lost();
    await call.start();
    expect(engine.opened).toBe(0);
    expect(call.status).toBe('idle');
    expect(sent).toEqual([]);
  });

  it('still shows the partner calling when the microphone is refused on Join', async () => {
    const room = useRoomStore();
    room.receive(view('B'));
    const call = useCallStore();
    handlers.get('call:signal')!({ kind: 'hello', link: 'link-of-A-0003' } as never);
    expect(call.status).toBe('incoming');
    engine.microphone = 'denied';
    await call.start();
    expect(call.problem).toBe('denied');
    expect(call.status).toBe('incoming');
    expect(sent).toEqual([]);
  });

  it('says "not now" to a call: the partner is told once, and the same call does not ring again', async () => {
    const room = useRoomStore();
    room.receive(view('B'));
    const call = useCallStore();
    const signal = handlers.get('call:signal')!;
    signal({ kind: 'hello', link: 'link-of-A-0004' } as never);
    expect(call.status).toBe('incoming');
    call.decline();
    expect(call.status).toBe('idle');
    expect(sent).toEqual([{ event: 'call:signal', payload: { kind: 'decline', to: 'link-of-A-0004' } }]);
    expect(engine.opened).toBe(0);
    // The waiting phone says hello again every 5 s until it hears the decline: no ring for it.
    signal({ kind: 'hello', link: 'link-of-A-0004' } as never);
    expect(call.status).toBe('idle');
    // Only a ringing phone declines.
    call.decline();
    expect(sent).toHaveLength(1);
    // A new call of the partner's (a new connection) rings again.
    signal({ kind: 'hello', link: 'link-of-A-0005' } as never);
    expect(call.status).toBe('incoming');
  });

  it("ends this phone's waiting call when the partner says not now to it, and no other call", async () => {
    const room = useRoomStore();
    room.receive(view('A'));
    const call = useCallStore();
    const signal = handlers.get('call:signal')!;
    await call.start();
    expect(call.status).toBe('connecting');
    sent.length = 0;
    // A decline of a connection this phone has replaced since (a late one) ends nothing.
    signal({ kind: 'decline', to: 'link-of-A-older' } as never);
    expect(call.status).toBe('connecting');
    // A device of the partner's joined (the connection is paired), and another one, still ringing, says not now.
    engine.paired = true;
    signal({ kind: 'decline', to: engine.link } as never);
    expect(call.status).toBe('connecting');
    expect(call.partnerDeclined).toBe(false);
    expect(sent).toEqual([]);

    engine.paired = false;
    signal({ kind: 'decline', to: engine.link } as never);
    expect(call.status).toBe('idle');
    expect(call.partnerDeclined).toBe(true);
    // The hangup stops the ring on the partner's other devices.
    expect(sent).toEqual([{ event: 'call:signal', payload: { kind: 'hangup' } }]);
    expect(engine.received).toEqual([]);
    expect(sessionStorage.getItem(`duologue.call.${ROOM}`)).toBeNull();
    // The next call clears the line.
    await call.start();
    expect(call.partnerDeclined).toBe(false);
  });

  it('does not ring again when the caller hung up while this phone asked for its microphone', async () => {
    const room = useRoomStore();
    room.receive(view('B'));
    const call = useCallStore();
    const signal = handlers.get('call:signal')!;
    signal({ kind: 'hello', link: 'link-of-A-0006' } as never);
    engine.microphone = 'denied';
    const starting = call.start();
    signal({ kind: 'hangup' } as never);
    await starting;
    expect(call.problem).toBe('denied');
    expect(call.status).toBe('idle');
  });

  it("forgets the last room's call lines when another room opens", async () => {
    const room = useRoomStore();
    room.roomId = ROOM;
    room.receive(view('A'));
    const call = useCallStore();
    await call.start();
    handlers.get('call:signal')!({ kind: 'decline', to: engine.link } as never);
    expect(call.partnerDeclined).toBe(true);
    room.roomId = 'S'.repeat(22);
    await nextTick();
    expect(call.partnerDeclined).toBe(false);
    expect(call.status).toBe('idle');
  });

  it('turns the microphone off for a break and a pause, lets the partner turn it back on, and on again when the talk goes on', async () => {
    const room = useRoomStore();
    room.receive(view('A'));
    const call = useCallStore();
    await call.start();
    expect(call.inCall).toBe(true);
    expect(sent.map((s) => s.event)).toContain('call:config');
    expect(engine.hellos).toBe(1);
    expect(call.muted).toBe(false);

    room.receive(view('A', { break: BREAK }));
    await nextTick();
    expect(call.muted).toBe(true);
    expect(engine.muted.at(-1)).toBe(true);
    // Their own choice on their own phone.
    call.setMuted(false);
    expect(engine.muted.at(-1)).toBe(false);
    room.receive(view('A'));
    await nextTick();
    expect(call.muted).toBe(false);

    room.receive(view('A', { paused: true }));
    await nextTick();
    expect(call.muted).toBe(true);
    room.receive(view('A', { paused: false }));
    await nextTick();
    expect(call.muted).toBe(false);
    // Nothing the partner sends mutes this phone: a `mute` signal only says theirs is off.
    handlers.get('call:signal')!({ kind: 'mute', muted: true } as never);
    expect(call.muted).toBe(false);
  });

  it('shows a partner calling, and is never offered to the moderator', async () => {
    const room = useRoomStore();
    room.receive(view('B'));
    const call = useCallStore();
    // A description or a candidate belongs to a call this phone is not in: no ring for it.
    handlers.get('call:signal')!({ kind: 'offer', sdp: 'v=0', from: 'link-of-A-0001', to: 'link-of-B-0001' } as never);
    expect(call.status).toBe('idle');
    handlers.get('call:signal')!({ kind: 'hello', link: 'link-of-A-0001' } as never);
    expect(call.status).toBe('incoming');
    handlers.get('call:signal')!({ kind: 'hangup' } as never);
    expect(call.status).toBe('idle');

    setActivePinia(createPinia());
    const watching = useRoomStore();
    watching.receive(view('moderator'));
    expect(useCallStore().available).toBe(false);
  });

  it("hands every partner signal to the call once it is in one, the partner's hello included", async () => {
    const room = useRoomStore();
    room.receive(view('A', { paused: true }));
    const call = useCallStore();
    await call.start();
    expect(engine.muted).toEqual([true]);
    const hello = { kind: 'hello', link: 'link-of-B-0002' };
    const offer = { kind: 'offer', sdp: 'v=0', from: 'link-of-B-0002', to: 'link-of-A-0002' };
    handlers.get('call:signal')!(hello as never);
    handlers.get('call:signal')!(offer as never);
    expect(engine.received).toEqual([hello, offer]);
    expect(call.status).not.toBe('incoming');
  });

  it('lets go of the microphone when the call cannot be set up after it was opened', async () => {
    const room = useRoomStore();
    room.receive(view('A'));
    const call = useCallStore();
    engine.failToBuild = true;
    await call.start();
    expect(engine.stopped).toBe(1);
    expect(call.problem).toBe('failed');
    expect(call.status).toBe('idle');
    expect(engine.hellos).toBe(0);
  });

  it('rejoins after a reload when this tab was in the call', async () => {
    sessionStorage.setItem(`duologue.call.${ROOM}`, '1');
    const room = useRoomStore();
    room.roomId = ROOM;
    room.receive(view('B'));
    useCallStore();
    await vi.waitFor(() => expect(engine.opened).toBe(1));
  });
});
