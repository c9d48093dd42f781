import { gate } from '@protocol/machine/gate';
import type { CommandType, SeatId, StateView } from '@protocol/schemas';

// The shared machine's `allowedCommands` filters `COMMAND_TYPES`, which lives beside the zod
// schemas; importing it would pull zod (~26 KiB gzipped) into the phone's bundle. The same
// `gate` decides here. The record makes the compiler point at any command type added later.
const EVERY_COMMAND: Record<CommandType, true> = {
  checkIn: true,
  advance: true,
  check: true,
  flood: true,
  extendBreak: true,
  ready: true,
  repair: true,
  proposeTime: true,
  acceptTime: true,
  wrapUp: true,
  end: true,
  pause: true,
  resume: true,
  setFloor: true,
  setStep: true,
  endBreak: true,
  coach: true,
  note: true,
};
const TYPES = Object.keys(EVERY_COMMAND) as CommandType[];

/**
 * The command types this seat could send now and have accepted, decided by the shared
 * machine's gate exactly as the server decides them (`advance` still needs the current step).
 */
export function allowedFor(view: StateView, seat: SeatId, serverNow: number): ReadonlySet<CommandType> {
  return new Set(TYPES.filter((type) => gate(view, seat, type, serverNow) === null));
}
