/**
 * An independent reading of PROTOCOL.md section 4, written from the contract's text and
 * not from `protocol/machine`: which code a command gets, and where the floor goes.
 * The model-based test holds the machine to it.
 */
import type { Command, CommandErrorCode, CommandType, Method, Partner, Room, SeatId, Step } from '../../protocol';

const MODERATOR_COMMANDS: readonly CommandType[] = ['pause', 'resume', 'setFloor', 'setStep', 'endBreak', 'coach', 'note'];
const THROUGH_A_BREAK: readonly CommandType[] = ['ready', 'extendBreak', 'repair'];
const THROUGH_A_PAUSE: readonly CommandType[] = ['flood', 'ready', 'extendBreak', 'repair'];
const TALK_PHASES: readonly Room['phase'][] = ['checkin', 'dialogue', 'closing'];
const APPOINTMENT_PHASES: readonly Room['phase'][] = ['lobby', 'checkin', 'closing'];

/** The step table, row by row: the actor and what ends the step. */
export const TABLE: Record<Step, { actor: 'speaker' | 'listener'; next: Step | 'swap' | null }> = {
  share: { actor: 'speaker', next: 'mirror' },
  mirror: { actor: 'listener', next: 'check' },
  check: { actor: 'speaker', next: null },
  summary: { actor: 'listener', next: 'validate' },
  validate: { actor: 'listener', next: 'empathize' },
  empathize: { actor: 'listener', next: 'heard' },
  heard: { actor: 'speaker', next: 'swap' },
};

export const METHOD_STEPS: Record<Method, readonly Step[]> = {
  imago: ['share', 'mirror', 'check', 'summary', 'validate', 'empathize', 'heard'],
  'speaker-listener': ['share', 'mirror', 'check', 'heard'],
};

const swap = (p: Partner): Partner => (p === 'A' ? 'B' : 'A');

export function actorNow(floor: { speaker: Partner; step: Step }): Partner {
  return TABLE[floor.step].actor === 'speaker' ? floor.speaker : swap(floor.speaker);
}

function phaseFits(room: Room, seat: SeatId, type: CommandType): boolean {
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
      return TALK_PHASES.includes(phase);
    case 'ready':
    case 'extendBreak':
    case 'endBreak':
      return room.break !== null;
    case 'proposeTime':
      return APPOINTMENT_PHASES.includes(phase);
    case 'acceptTime':
      return APPOINTMENT_PHASES.includes(phase) && room.appointment !== null;
    case 'wrapUp':
      // A partner gets here during a break only when it is due.
      return phase === 'dialogue' || (room.break !== null && room.break.due);
    case 'end':
      return seat === 'moderator' || phase === 'closing';
    case 'repair':
    case 'resume':
    case 'coach':
    case 'note':
      return true;
  }
}

/** The answer to a command type alone (no arguments, no `rev`), in the contract's order. */
export function expectedGate(room: Room, seat: SeatId, type: CommandType, now: number): CommandErrorCode | null {
  const partner = seat !== 'moderator';
  if (type !== 'end' && partner === MODERATOR_COMMANDS.includes(type)) return 'forbidden';
  if (type === 'acceptTime' && room.appointment?.by === seat) return 'forbidden';
  if (room.phase === 'ended') return 'ended';
  if (partner && room.break !== null && !THROUGH_A_BREAK.includes(type) && !(type === 'wrapUp' && room.break.due)) {
    return 'on_break';
  }
  if (partner && room.paused && !THROUGH_A_PAUSE.includes(type)) return 'paused';
  if (!phaseFits(room, seat, type)) return 'wrong_phase';
  if (type === 'extendBreak' && room.break!.by !== seat) return 'break_protected';
  if (type === 'ready' && room.break!.by === seat && now < room.break!.minUntil) return 'break_protected';
  if ((type === 'advance' || type === 'check') && actorNow(room.floor!) !== seat) return 'not_your_turn';
  return null;
}

/** The full answer to a parsed command: `stale`, the gate, then `wrong_step` and the room's and clock's `invalid`. */
export function expectedAnswer(room: Room, seat: SeatId, command: Command, now: number): CommandErrorCode | null {
  if (command.rev !== undefined && command.rev !== room.rev) return 'stale';
  const gated = expectedGate(room, seat, command.type, now);
  if (gated !== null) return gated;
  // Durations are whole milliseconds: a minute of 60000 / scale ms, rounded per duration.
  const ms = (minutes: number): number => Math.round(minutes * room.minuteMs);
  switch (command.type) {
    case 'advance':
      return room.floor!.step === command.step ? null : 'wrong_step';
    case 'check':
      return room.floor!.step === 'check' ? null : 'wrong_step';
    case 'flood': {
      const minutes = command.minutes ?? room.breakMinutes;
      return minutes < room.breakMinutes || minutes > 1440 ? 'invalid' : null;
    }
    case 'extendBreak': {
      const brk = room.break!;
      const returnAt = now + ms(command.minutes);
      return returnAt <= brk.returnAt || returnAt > brk.startedAt + ms(1440) ? 'invalid' : null;
    }
    case 'proposeTime': {
      const at = Date.parse(command.at);
      return at <= now || at > now + 7 * 24 * 3600 * 1000 ? 'invalid' : null;
    }
    case 'acceptTime':
      return room.appointment!.at <= now ? 'invalid' : null;
    case 'setStep':
      return METHOD_STEPS[room.method].includes(command.step) ? null : 'invalid';
    default:
      return null;
  }
}

/** Where the actor's accepted `advance` or `check` takes the floor, per the step table. */
export function expectedFloor(room: Room, command: Command, now: number): NonNullable<Room['floor']> {
  const floor = room.floor!;
  if (command.type === 'check') {
    const next: Step = command.result === 'complete' ? (room.method === 'imago' ? 'summary' : 'heard') : 'share';
    return { ...floor, step: next, clarifying: command.result === 'missed', stepSince: now };
  }
  const row = TABLE[floor.step];
  if (row.next === 'swap') return { speaker: swap(floor.speaker), step: 'share', turn: floor.turn + 1, clarifying: false, stepSince: now };
  return { ...floor, step: row.next!, stepSince: now };
}

/** A duration of `minutes` protocol minutes in this room, in whole milliseconds. */
export function durationMs(room: Room, minutes: number): number {
  return Math.round(minutes * room.minuteMs);
}
