import { describe, expect, it } from 'vitest';
import { Room as RoomSchema, claimSeat, createRoom, viewFor } from '../../protocol';
import { MIN, T0, newRoom } from './helpers';

describe('creating a room and claiming its seats', () => {
  const base = { id: 'room-lifecycle-0123456789', name: '  Ana  ', minuteMs: MIN };

  it('seats a partner creator in A with an invite for B only: a partner never opens a moderator seat', () => {
    const plain = createRoom(base, T0);
    expect(plain.seat).toBe('A');
    expect(plain.invites).toEqual(['B']);
    expect(plain.room).toMatchObject({
      rev: 0,
      phase: 'lobby',
      method: 'imago',
      breakMinutes: 20,
      firstSpeaker: 'A',
      seats: { A: { name: 'Ana', joined: true }, B: { name: null, joined: false }, moderator: null },
      timeline: [{ at: T0, kind: 'created', by: 'A' }],
    });
    expect(() => RoomSchema.parse(plain.room)).not.toThrow();
  });

  it('seats a moderator creator, whose room is moderated and invites both partners', () => {
    const out = createRoom({ ...base, as: 'moderator', method: 'speaker-listener', breakMinutes: 45, firstSpeaker: 'B' }, T0);
    expect(out.seat).toBe('moderator');
    expect(out.invites).toEqual(['A', 'B']);
    expect(out.room.seats).toEqual({ A: { name: null, joined: false }, B: { name: null, joined: false }, moderator: { name: 'Ana', joined: true } });
    expect(viewFor(out.room, 'moderator', T0).settings).toEqual({ breakMinutes: 45, minuteMs: MIN });
  });

  it('moves from lobby to checkin by itself once both partners are seated, not before', () => {
    let room = newRoom({ as: 'moderator' });
    room = claimSeat(room, 'B', 'Ben', T0 + 1).room;
    expect(room.phase).toBe('lobby');
    const out = claimSeat(room, 'A', 'Ari', T0 + 2);
    expect(out.room.phase).toBe('checkin');
    expect(out.events).toEqual([{ at: T0 + 2, kind: 'joined', seat: 'A' }]);
    expect(out.room.rev).toBe(room.rev + 1);
    expect(viewFor(out.room, 'B', T0 + 2).seats.A).toEqual({ name: 'Ari', joined: true, online: false, checkedIn: false });
  });

  it('refuses to claim a moderator seat the room does not have, leaving the room as it was', () => {
    const room = newRoom();
    const before = structuredClone(room);
    expect(() => claimSeat(room, 'moderator', 'Mo', T0)).toThrow();
    expect(room).toStrictEqual(before);
  });

  it('passes presence through to the seat views, without touching rev', () => {
    const room = newRoom({ as: 'moderator' });
    const view = viewFor(room, 'A', T0, { A: true, B: false, moderator: true });
    expect([view.seats.A.online, view.seats.B.online, view.seats.moderator?.online]).toEqual([true, false, true]);
    expect(view.rev).toBe(room.rev);
    expect(view.serverNow).toBe(T0);
  });
});
