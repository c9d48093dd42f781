import { COMMAND_TYPES, type CommandType, type SeatId } from '../schemas';
import type { Room } from '../room';
import { gate } from './gate';

/**
 * The command types this seat could send now with some arguments and have accepted,
 * following the same precedence as the machine. A client enables exactly these.
 * (`advance` then still needs the current step, and time-based commands valid values.)
 */
export function allowedCommands(room: Room, seat: SeatId, now: number): CommandType[] {
  return COMMAND_TYPES.filter((type) => gate(room, seat, type, now) === null);
}
