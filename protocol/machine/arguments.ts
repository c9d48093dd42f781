import type { Command } from '../schemas';
import { BREAK_CAP_MINUTES, isoToEpochMs } from '../schemas';
import type { Room } from '../room';
import { protocolError, type ProtocolError } from '../errors';
import { stepsFor } from './steps';
import { breakMs } from './break-times';

/** How far ahead a proposed time may lie. */
export const APPOINTMENT_HORIZON_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * A break duration in whole milliseconds: a time scale that does not divide 60 000
 * would otherwise leave fractions in deadlines that are epoch milliseconds.
 */
export function minutesMs(room: Room, minutes: number): number {
  return breakMs(room.minuteMs, minutes);
}

/**
 * The checks that come after the gate, last in the precedence order: `wrong_step`,
 * then the rules that depend on the room or the clock, answered `invalid`.
 */
export function refuseArguments(room: Room, command: Command, now: number): ProtocolError | null {
  switch (command.type) {
    case 'advance':
      return room.floor !== null && room.floor.step !== command.step ? protocolError('wrong_step') : null;
    case 'check':
      return room.floor !== null && room.floor.step !== 'check' ? protocolError('wrong_step') : null;
    case 'flood': {
      const minutes = command.minutes ?? room.breakMinutes;
      if (minutes < room.breakMinutes) {
        return protocolError('invalid', `A break lasts at least ${room.breakMinutes} minutes in this conversation.`);
      }
      if (minutes > BREAK_CAP_MINUTES) return protocolError('invalid', 'A break cannot last longer than a day.');
      return null;
    }
    case 'extendBreak': {
      const brk = room.break;
      if (brk === null) return null;
      const returnAt = now + minutesMs(room, command.minutes);
      if (returnAt <= brk.returnAt) return protocolError('invalid', 'An extension must move the return time later.');
      if (returnAt > brk.startedAt + minutesMs(room, BREAK_CAP_MINUTES)) {
        return protocolError('invalid', 'A break cannot last longer than a day.');
      }
      return null;
    }
    case 'proposeTime': {
      const at = isoToEpochMs(command.at);
      if (!(at > now)) return protocolError('invalid', 'Choose a time in the future.');
      if (at > now + APPOINTMENT_HORIZON_MS) return protocolError('invalid', 'Choose a time within the next seven days.');
      return null;
    }
    case 'acceptTime':
      if (room.appointment !== null && room.appointment.at <= now) {
        return protocolError('invalid', 'That time has already passed. Propose a new one.');
      }
      return null;
    case 'setStep':
      return stepsFor(room.method).includes(command.step)
        ? null
        : protocolError('invalid', 'That step is not part of this method.');
    default:
      return null;
  }
}
