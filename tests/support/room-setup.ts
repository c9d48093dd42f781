import type { CreateRoomBody, Method, SeatId } from '../../protocol';
import { createRoom, joinRoom } from './api-client';
import { Member } from './member';

export interface SeatHandle {
  seatKey: string;
  member: Member;
}

export interface OpenRoom {
  roomId: string;
  keys: Partial<Record<SeatId, string>>;
  A: Member;
  B: Member;
  moderator: Member | null;
  all: Member[];
  close(): void;
}

/**
 * Creates a room as partner A, or as the moderator for a moderated room (only a moderator
 * opens one), joins every other seat with its invite, and connects one socket per seat.
 */
export async function openRoom(
  url: string,
  options: { method?: Method; moderated?: boolean; extra?: Partial<CreateRoomBody> } = {},
): Promise<OpenRoom> {
  const moderated = options.moderated === true;
  const created = await createRoom(url, {
    name: moderated ? 'Mo' : 'Ann',
    as: moderated ? 'moderator' : 'partner',
    method: options.method ?? 'imago',
    topic: 'The dishes',
    ...options.extra,
  });
  const keys: Partial<Record<SeatId, string>> = { [created.seat]: created.seatKey };
  const names: Record<SeatId, string> = { A: 'Ann', B: 'Ben', moderator: 'Mo' };
  for (const [seat, code] of Object.entries(created.invites) as Array<[SeatId, string]>) {
    const joined = await joinRoom(url, created.roomId, code, names[seat]);
    keys[joined.seat] = joined.seatKey;
  }
  const connect = (seat: SeatId): Promise<Member> => Member.connect(url, created.roomId, keys[seat]!);
  const A = await connect('A');
  const B = await connect('B');
  const moderator = keys.moderator === undefined ? null : await connect('moderator');
  const all = moderator === null ? [A, B] : [A, B, moderator];
  return { roomId: created.roomId, keys, A, B, moderator, all, close: () => all.forEach((m) => m.close()) };
}

/** Both partners check in feeling safe; resolves when both see `dialogue`. */
export async function startDialogue(room: OpenRoom): Promise<void> {
  await room.A.ok({ type: 'checkIn', calm: 6, tendency: 'pursue', safe: true });
  await room.B.ok({ type: 'checkIn', calm: 4, tendency: 'withdraw', safe: true });
  await Promise.all(room.all.map((m) => m.waitFor((s) => s.phase === 'dialogue', 'dialogue')));
}
