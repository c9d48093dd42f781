import { describe, expect, it, vi } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { viewFor, type CommandInput, type Room, type SeatId } from '../../protocol';
import { MIN, T0, inDialogue, ok } from '../protocol/helpers';

// The stores import the tab's socket; a stand-in keeps Socket.IO out of Node.
vi.mock('../../client/src/lib/socket', () => ({ socket: { on: () => undefined, io: { on: () => undefined } }, openRoomSocket: () => false, closeRoomSocket: () => undefined }));

const { useRoomStore } = await import('../../client/src/stores/room');

/** Sam's phone (seat B) in a moderated room, taking in the real machine's views one after another. */
function watch(room: Room, now = T0) {
  setActivePinia(createPinia());
  const store = useRoomStore();
  store.receive(viewFor(room, 'B', now));
  let current = room;
  return {
    store,
    as(seat: SeatId, input: CommandInput, at: number) {
      current = ok(current, seat, input, at).room;
      store.receive(viewFor(current, 'B', at));
      return current;
    },
  };
}

describe("the partners' line when the therapist moves the talk", () => {
  it('says who gave whom the floor, and folds away when the partners move on', () => {
    const phone = watch(inDialogue({ as: 'moderator' }));
    expect(phone.store.steered).toBeNull();
    phone.as('moderator', { type: 'setFloor', speaker: 'B' }, T0 + 1000);
    expect(phone.store.steered).toEqual({ kind: 'floor', speaker: 'B', turn: 2 });
    // A coach line to both changes nothing the line speaks of: it stays.
    phone.as('moderator', { type: 'coach', to: 'both', text: 'Take your time.' }, T0 + 2000);
    expect(phone.store.steered).toEqual({ kind: 'floor', speaker: 'B', turn: 2 });
    // Sam moves the step on: the talk is in the partners' hands again.
    phone.as('B', { type: 'advance', step: 'share' }, T0 + 3000);
    expect(phone.store.steered).toBeNull();
  });

  it('names the step the therapist set, and never takes a partner\'s own move for the therapist\'s', () => {
    const phone = watch(inDialogue({ as: 'moderator' }));
    phone.as('A', { type: 'advance', step: 'share' }, T0 + 1000);
    expect(phone.store.steered).toBeNull();
    phone.as('moderator', { type: 'setStep', step: 'check' }, T0 + 2000);
    expect(phone.store.steered).toEqual({ kind: 'step', step: 'check' });
  });

  it("says nothing of the therapist's move when the partners moved on after it before this phone heard of either", () => {
    let room = inDialogue({ as: 'moderator' });
    setActivePinia(createPinia());
    const store = useRoomStore();
    store.receive(viewFor(room, 'B', T0));
    // The phone sleeps through both: the therapist sets the step to check, and Alex asks for more.
    room = ok(room, 'moderator', { type: 'setStep', step: 'check' }, T0 + 1000).room;
    room = ok(room, 'A', { type: 'check', result: 'more' }, T0 + 2000).room;
    store.receive(viewFor(room, 'B', T0 + 2000));
    expect(store.view?.floor?.step).toBe('share');
    expect(store.steered).toBeNull();

    // The same with the floor: given to Sam, and Sam has said their part since.
    room = ok(room, 'moderator', { type: 'setFloor', speaker: 'B' }, T0 + 3000).room;
    room = ok(room, 'B', { type: 'advance', step: 'share' }, T0 + 4000).room;
    store.receive(viewFor(room, 'B', T0 + 4000));
    expect(store.steered).toBeNull();
  });

  it('says, once the pause ends, what the therapist rearranged during it: the floor and then the step, in one line', () => {
    const phone = watch(inDialogue({ as: 'moderator' }));
    phone.as('moderator', { type: 'pause' }, T0 + 1000);
    expect(phone.store.steered).toBeNull();
    phone.as('moderator', { type: 'setFloor', speaker: 'B' }, T0 + 2000);
    phone.as('moderator', { type: 'setStep', step: 'mirror' }, T0 + 3000);
    expect(phone.store.steered).toEqual({ kind: 'floor', speaker: 'B', turn: 2, step: 'mirror' });
    // A break taken during the pause does not lose it: the pause screen comes back after the break.
    phone.as('A', { type: 'flood', minutes: 20 }, T0 + 3500);
    expect(phone.store.view?.break).not.toBeNull();
    expect(phone.store.steered).toEqual({ kind: 'floor', speaker: 'B', turn: 2, step: 'mirror' });
    phone.as('moderator', { type: 'endBreak' }, T0 + 3700);
    expect(phone.store.view).toMatchObject({ break: null, paused: true });
    expect(phone.store.steered).toEqual({ kind: 'floor', speaker: 'B', turn: 2, step: 'mirror' });
    // The talk goes on: the line is still there for the dialogue's screen to say.
    phone.as('moderator', { type: 'resume' }, T0 + 4000);
    expect(phone.store.view?.paused).toBe(false);
    expect(phone.store.steered).toEqual({ kind: 'floor', speaker: 'B', turn: 2, step: 'mirror' });
    // A new pause starts clean.
    phone.as('moderator', { type: 'pause' }, T0 + 5000);
    expect(phone.store.steered).toBeNull();
  });

  it('tells a break the therapist ended from one the partners ended by being ready', () => {
    const phone = watch(inDialogue({ as: 'moderator' }));
    phone.as('B', { type: 'flood', minutes: 20 }, T0 + 1000);
    phone.as('moderator', { type: 'endBreak' }, T0 + 2000);
    expect(phone.store.steered).toEqual({ kind: 'breakEnded' });

    const other = watch(inDialogue({ as: 'moderator' }));
    other.as('B', { type: 'flood', minutes: 20 }, T0 + 1000);
    other.as('A', { type: 'ready' }, T0 + 21 * MIN);
    other.as('B', { type: 'ready' }, T0 + 21 * MIN + 1000);
    expect(other.store.view?.break).toBeNull();
    expect(other.store.steered).toBeNull();
  });

  it("tells the therapist's end of a break though the phone also took in a partner's 'ready' with it", () => {
    let room = inDialogue({ as: 'moderator' });
    room = ok(room, 'B', { type: 'flood', minutes: 20 }, T0 + 1000).room;
    setActivePinia(createPinia());
    const store = useRoomStore();
    store.receive(viewFor(room, 'B', T0 + 1000));
    // The phone sleeps through both: Alex says ready, then the therapist ends the break.
    room = ok(room, 'A', { type: 'ready' }, T0 + 2000).room;
    room = ok(room, 'moderator', { type: 'endBreak' }, T0 + 3000).room;
    store.receive(viewFor(room, 'B', T0 + 3000));
    expect(store.view?.break).toBeNull();
    expect(store.steered).toEqual({ kind: 'breakEnded' });
  });

  it('says nothing in a room without a therapist', () => {
    const phone = watch(inDialogue());
    phone.as('B', { type: 'flood', minutes: 20 }, T0 + 1000);
    phone.as('A', { type: 'ready' }, T0 + 21 * MIN);
    phone.as('B', { type: 'ready' }, T0 + 21 * MIN + 1000);
    expect(phone.store.steered).toBeNull();
  });
});
