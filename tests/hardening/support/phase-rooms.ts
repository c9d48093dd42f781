import type { CommandInput, Method, SeatId } from '../../../protocol';
import { Member, createRoom, joinRoom } from './wire';

/** The situations a fuzzed command may land in. */
export const PHASES = ['lobby', 'checkin', 'dialogue', 'mirror', 'break', 'paused', 'closing', 'ended'] as const;
export type Situation = (typeof PHASES)[number];

export interface PhaseRoom {
  roomId: string;
  method: Method;
  keys: Partial<Record<SeatId, string>>;
  invites: Partial<Record<SeatId, string>>;
  members: Partial<Record<SeatId, Member>>;
  close(): void;
}

/**
 * A room brought to a situation through the public API alone: created, joined,
 * checked in, and moved on with accepted commands.
 */
export async function roomIn(
  base: string,
  situation: Situation,
  options: { method?: Method; moderated?: boolean } = {},
): Promise<PhaseRoom> {
  const method = options.method ?? 'imago';
  const moderated = options.moderated === true || situation === 'paused';
  // Only a moderator opens a moderated room; partner A then joins with the invite it got.
  const created = await createRoom(base, { name: moderated ? 'Morgan' : 'Avery', as: moderated ? 'moderator' : 'partner', topic: 'fuzz', method, breakMinutes: 5 });
  const keys: Partial<Record<SeatId, string>> = { [created.seat]: created.seatKey };
  const invites: Partial<Record<SeatId, string>> = { ...created.invites };
  if (moderated) keys.A = (await joinRoom(base, created.roomId, created.invites.A!, 'Avery')).seatKey;
  if (situation !== 'lobby') keys.B = (await joinRoom(base, created.roomId, created.invites.B!, 'Blake')).seatKey;
  const members: Partial<Record<SeatId, Member>> = {};
  for (const [seat, key] of Object.entries(keys) as Array<[SeatId, string]>) {
    members[seat] = new Member(base, created.roomId, seat, key);
  }
  await Promise.all(Object.values(members).map((m) => m.connected()));
  const ok = async (seat: SeatId, command: CommandInput): Promise<void> => {
    const ack = await members[seat]!.send(command);
    if (!ack.ok) throw new Error(`setup ${command.type} from ${seat}: ${ack.error.code}`);
  };
  if (situation !== 'lobby' && situation !== 'checkin') {
    await ok('A', { type: 'checkIn', calm: 5, tendency: 'pursue', safe: true });
    await ok('B', { type: 'checkIn', calm: 5, tendency: 'unsure', safe: true });
  }
  if (situation === 'mirror') await ok('A', { type: 'advance', step: 'share' });
  if (situation === 'break') await ok('B', { type: 'flood' });
  if (situation === 'paused') await ok('moderator', { type: 'pause' });
  if (situation === 'closing' || situation === 'ended') await ok('A', { type: 'wrapUp' });
  if (situation === 'ended') await ok('B', { type: 'end' });
  return {
    roomId: created.roomId,
    method,
    keys,
    invites,
    members,
    close: () => Object.values(members).forEach((m) => m.close()),
  };
}
