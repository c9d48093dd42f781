import type { CommandType, SeatId } from '../schemas';
import type { FloorRecord, Room } from '../room';
import { protocolError, type ProtocolError } from '../errors';
import { actorOf } from './steps';

const PARTNER_ONLY: ReadonlySet<CommandType> = new Set([
  'checkIn',
  'advance',
  'check',
  'flood',
  'extendBreak',
  'ready',
  'repair',
  'proposeTime',
  'acceptTime',
  'wrapUp',
]);
const MODERATOR_ONLY: ReadonlySet<CommandType> = new Set([
  'pause',
  'resume',
  'setFloor',
  'setStep',
  'endBreak',
  'coach',
  'note',
]);
/** Partner commands that still go through during a break. */
const BREAK_EXEMPT: ReadonlySet<CommandType> = new Set(['ready', 'extendBreak', 'repair']);
/** Partner commands that still go through during a moderator pause. */
const PAUSE_EXEMPT: ReadonlySet<CommandType> = new Set(['flood', 'ready', 'extendBreak', 'repair']);

/**
 * What the gate reads of a room. Both the stored `Room` and a seat's `StateView`
 * satisfy it, so a client predicts answers from the state it was sent.
 */
export type GateInput = Pick<Room, 'phase' | 'break' | 'paused' | 'appointment'> & {
  floor: Pick<FloorRecord, 'speaker' | 'step'> | null;
};

export function seatMaySend(seat: SeatId, type: CommandType): boolean {
  return seat === 'moderator' ? !PARTNER_ONLY.has(type) : !MODERATOR_ONLY.has(type);
}

function phaseAllows(room: GateInput, seat: SeatId, type: CommandType): boolean {
  const { phase } = room;
  switch (type) {
    case 'checkIn':
      return phase === 'lobby' || phase === 'checkin';
    case 'advance':
    case 'check':
    case 'setFloor':
    case 'setStep':
      return phase === 'dialogue';
    case 'flood':
    case 'pause':
      return phase === 'checkin' || phase === 'dialogue' || phase === 'closing';
    case 'extendBreak':
    case 'ready':
    case 'endBreak':
      return room.break !== null;
    case 'proposeTime':
      return phase === 'lobby' || phase === 'checkin' || phase === 'closing';
    case 'acceptTime':
      return (phase === 'lobby' || phase === 'checkin' || phase === 'closing') && room.appointment !== null;
    case 'wrapUp':
      // Reached with a break on only when it is due: a talk can always be left.
      return phase === 'dialogue' || room.break !== null;
    case 'end':
      return seat === 'moderator' || phase === 'closing';
    case 'repair':
    case 'resume':
    case 'coach':
    case 'note':
      return true;
  }
}

/**
 * The argument-free part of deciding a command, in the precedence order of
 * PROTOCOL.md section 4 from `forbidden` to `not_your_turn`. Returns the rejection,
 * or null when the command type is open to this seat now (its arguments may still
 * be refused with `wrong_step` or `invalid`).
 */
export function gate(room: GateInput, seat: SeatId, type: CommandType, now: number): ProtocolError | null {
  if (!seatMaySend(seat, type)) {
    return protocolError(
      'forbidden',
      seat === 'moderator' ? 'Only a partner can do that.' : 'Only the moderator can do that.',
    );
  }
  if (type === 'acceptTime' && room.appointment !== null && room.appointment.by === seat) {
    return protocolError('forbidden', 'You proposed this time; your partner is the one to accept it.');
  }
  if (room.phase === 'ended') return protocolError('ended');
  if (seat !== 'moderator') {
    if (room.break !== null && !BREAK_EXEMPT.has(type) && !(type === 'wrapUp' && room.break.due)) {
      return protocolError('on_break', type === 'flood' ? 'A break is already on.' : undefined);
    }
    if (room.paused && !PAUSE_EXEMPT.has(type)) return protocolError('paused');
  }
  if (!phaseAllows(room, seat, type)) return protocolError('wrong_phase', wrongPhaseMessage(room, type));
  if (type === 'extendBreak' && room.break !== null && room.break.by !== seat) {
    return protocolError('break_protected', 'Only the partner who called the break can extend it.');
  }
  if (type === 'ready' && room.break !== null && room.break.by === seat && now < room.break.minUntil) {
    return protocolError('break_protected', 'Give yourself the minimum break time before you come back.');
  }
  if ((type === 'advance' || type === 'check') && room.floor !== null && actorOf(room.floor) !== seat) {
    return protocolError('not_your_turn');
  }
  return null;
}

function wrongPhaseMessage(room: GateInput, type: CommandType): string | undefined {
  if ((type === 'ready' || type === 'extendBreak' || type === 'endBreak') && room.break === null) {
    return 'There is no break on.';
  }
  if (type === 'acceptTime' && room.appointment === null) return 'No time has been proposed yet.';
  return undefined;
}
