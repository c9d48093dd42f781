import { describe, expect, it, vi } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';

// The stores import the tab's socket; a stand-in keeps Socket.IO out of Node.
vi.mock('../../client/src/lib/socket', () => ({ socket: { on: () => undefined, io: { on: () => undefined } }, openRoomSocket: () => false, closeRoomSocket: () => undefined }));

const { useConnectionStore } = await import('../../client/src/stores/connection');
const { useRoomStore } = await import('../../client/src/stores/room');

describe('the Pinia stores', () => {
  it('return every ref of their state, so all of it is in $state and in the devtools', () => {
    setActivePinia(createPinia());
    expect(Object.keys(useConnectionStore().$state).sort()).toEqual(
      ['everOnline', 'localNow', 'offsetMs', 'refusal', 'retryAt', 'stateFresh', 'status'].sort(),
    );
    expect(Object.keys(useRoomStore().$state).sort()).toEqual(
      ['checkInDraft', 'checkInResumed', 'deleted', 'freshRepair', 'inFlight', 'notice', 'record', 'resumePoint', 'roomId', 'sending', 'steered', 'view', 'welcomed'].sort(),
    );
  });

  it('derive the room minute, this seat\'s own check-in and whether it acts, from the state alone', () => {
    setActivePinia(createPinia());
    const room = useRoomStore();
    expect(room.minuteMs).toBe(60_000);
    room.receive({
      roomId: 'R'.repeat(22),
      rev: 3,
      serverNow: 0,
      you: 'B',
      topic: '',
      method: 'imago',
      settings: { breakMinutes: 20, minuteMs: 200 },
      phase: 'dialogue',
      seats: {
        A: { name: 'Alex', joined: true, online: true, checkedIn: true },
        B: { name: 'Sam', joined: true, online: true, checkedIn: true },
        moderator: null,
      },
      checkin: { calm: 3, tendency: 'withdraw', safe: true },
      floor: { speaker: 'A', listener: 'B', step: 'mirror', turn: 1, clarifying: false, stepSince: 0 },
      break: null,
      paused: false,
      appointment: null,
      repairs: [],
      coach: [],
      notes: [],
      timeline: [{ at: 0, kind: 'wrapUp', by: 'A' }],
    });
    expect(room.minuteMs).toBe(200);
    expect(room.myCheckin).toEqual({ calm: 3, tendency: 'withdraw', safe: true });
    expect(room.role).toBe('listener');
    expect(room.acting).toBe(true);
    expect(room.lastEvent('wrapUp')?.by).toBe('A');
  });
});
