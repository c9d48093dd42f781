import { COMMAND_TYPES } from '../command-types';
import type { CommandType, SeatId } from '../schemas';
import { gate, type GateInput } from './gate';

/**
 * The command types this seat could send now with some arguments and have accepted,
 * following the same precedence as the machine. A client enables exactly these; it may
 * pass the `StateView` it was sent in place of the stored room.
 * (`advance` then still needs the current step, and time-based commands valid values.)
 */
export function allowedCommands(room: GateInput, seat: SeatId, now: number): CommandType[] {
  return COMMAND_TYPES.filter((type) => gate(room, seat, type, now) === null);
}
