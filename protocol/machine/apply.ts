import type { Command, CommandOf, Partner, SeatId, Step, TimelineEvent } from '../schemas';
import { isoToEpochMs } from '../schemas';
import type { CoachLine, Room } from '../room';
import { protocolError, type ProtocolError } from '../errors';
import { minutesMs, refuseArguments } from './arguments';
import { gate } from './gate';
import { NEXT_AFTER_ADVANCE, otherPartner } from './steps';
import { copyValue, sameValue } from './same-value';
import { checkedIn, VIEW_LIST_LIMIT, viewFor } from './view';
/** How many entries the stored lists keep (views carry the last 50). */
export const STORED_LIST_LIMIT = 200;

export type Accepted = {
  ok: true;
  room: Room;
  /** Content-free timeline events the change added. */
  events: TimelineEvent[];
  /** True when the room changed at all (so it must be stored). */
  changed: boolean;
  /**
   * The seats whose view the change alters, decided here once: the server sends a new
   * state to these seats and to no other.
   */
  audience: SeatId[];
};
export type Rejected = { ok: false; error: ProtocolError };
export type Outcome = Accepted | Rejected;

function reject(code: ProtocolError['code'], message?: string): Rejected {
  return { ok: false, error: protocolError(code, message) };
}

/**
 * The conversation machine: decides one parsed command from one seat at one instant.
 * Pure: the input room is never mutated; a rejection leaves it as it was.
 */
export function applyCommand(room: Room, command: Command, seat: SeatId, now: number): Outcome {
  if (command.rev !== undefined && command.rev !== room.rev) {
    return reject('stale');
  }
  const closed = gate(room, seat, command.type, now);
  if (closed !== null) return { ok: false, error: closed };
  const refusal = refuseArguments(room, command, now);
  if (refusal !== null) return { ok: false, error: refusal };

  const next = copyForChange(room);
  const events: TimelineEvent[] = [];
  const log = (event: Omit<TimelineEvent, 'at'>): void => {
    events.push({ at: now, ...event });
  };
  mutate(next, command, seat, now, log);
  return finish(room, next, events, now);
}

type Log = (event: Omit<TimelineEvent, 'at'>) => void;

/**
 * A copy of a room for the machine to change. The long lists (timeline, notes, coach lines,
 * repairs) are shared with the original rather than cloned: the machine only ever replaces
 * them with new arrays and never edits them or their entries in place, so the original
 * stays as it was.
 */
export function copyForChange(room: Room): Room {
  const { timeline, notes, coach, repairs, ...rest } = room;
  return { ...copyValue(rest), timeline, notes, coach, repairs };
}

function mutate(room: Room, command: Command, seat: SeatId, now: number, log: Log): void {
  switch (command.type) {
    case 'checkIn':
      return checkIn(room, command, seat as Partner, now, log);
    case 'advance':
      return advance(room, command.step, seat as Partner, now, log);
    case 'check':
      return check(room, command, seat as Partner, now, log);
    case 'flood': {
      const minutes = command.minutes ?? room.breakMinutes;
      const by = seat as Partner;
      room.break = {
        by,
        startedAt: now,
        minUntil: now + minutesMs(room, room.breakMinutes),
        returnAt: now + minutesMs(room, minutes),
        due: false,
        ready: { A: false, B: false },
      };
      const stats = room.stats[by];
      stats.breaks = capped([...stats.breaks, { startedAt: now, endedAt: null }]);
      stats.breakCount += 1;
      log({ kind: 'flood', by, returnAt: room.break.returnAt });
      return;
    }
    case 'extendBreak': {
      const brk = room.break!;
      brk.returnAt = now + minutesMs(room, command.minutes);
      brk.due = false;
      log({ kind: 'breakExtended', by: seat, returnAt: brk.returnAt });
      return;
    }
    case 'ready': {
      const brk = room.break!;
      if (brk.ready[seat as Partner]) return;
      brk.ready[seat as Partner] = true;
      log({ kind: 'ready', by: seat });
      if (brk.ready.A && brk.ready.B && now >= brk.minUntil) endBreak(room, now, log);
      return;
    }
    case 'repair':
      room.repairs = capped([...room.repairs, { at: now, by: seat as Partner, phrase: command.phrase }]);
      room.stats[seat as Partner].repairs += 1;
      log({ kind: 'repair', by: seat, phrase: command.phrase });
      return;
    case 'proposeTime': {
      const at = isoToEpochMs(command.at);
      room.appointment = { at, by: seat as Partner, accepted: false };
      log({ kind: 'timeProposed', by: seat, when: at });
      return;
    }
    case 'acceptTime': {
      const appointment = room.appointment!;
      if (appointment.accepted) return;
      appointment.accepted = true;
      log({ kind: 'timeAccepted', by: seat, when: appointment.at });
      return;
    }
    case 'wrapUp':
      if (room.break !== null) endBreak(room, now, log);
      room.phase = 'closing';
      room.floor = null;
      log({ kind: 'wrapUp', by: seat });
      return;
    case 'end':
      if (room.break !== null) endBreak(room, now, log);
      room.phase = 'ended';
      room.floor = null;
      room.paused = false;
      room.stats.endedAt = now;
      log({ kind: 'ended', by: seat });
      return;
    case 'pause':
      if (room.paused) return;
      room.paused = true;
      log({ kind: 'paused', by: seat });
      return;
    case 'resume':
      if (!room.paused) return;
      room.paused = false;
      log({ kind: 'resumed', by: seat });
      return;
    case 'setFloor': {
      const floor = room.floor!;
      room.floor = { speaker: command.speaker, step: 'share', turn: floor.turn + 1, clarifying: false, stepSince: now };
      room.stats[command.speaker].turns += 1;
      log({ kind: 'setFloor', by: seat, speaker: command.speaker, turn: room.floor.turn });
      return;
    }
    case 'setStep': {
      const floor = room.floor!;
      if (floor.step === command.step && !floor.clarifying) return;
      floor.step = command.step;
      floor.clarifying = false;
      floor.stepSince = now;
      log({ kind: 'setStep', by: seat, step: command.step, turn: floor.turn });
      return;
    }
    case 'endBreak':
      endBreak(room, now, log, 'moderator');
      return;
    case 'coach':
      room.coach = prunedCoach([...room.coach, { at: now, to: command.to, text: command.text }]);
      return;
    case 'note':
      room.notes = capped([...room.notes, { at: now, text: command.text }]);
      return;
  }
}

function checkIn(room: Room, command: CommandOf<'checkIn'>, seat: Partner, now: number, log: Log): void {
  const wasDone = checkedIn(room, seat);
  room.checkin[seat] = { calm: command.calm, tendency: command.tendency, safe: command.safe };
  if (!wasDone && checkedIn(room, seat)) log({ kind: 'checkedIn', by: seat });
  maybeStartDialogue(room, now, log);
}

/** `checkin` turns into `dialogue` by itself once both partners checked in feeling safe. */
export function maybeStartDialogue(room: Room, now: number, log: Log): void {
  if (room.phase !== 'checkin' || !checkedIn(room, 'A') || !checkedIn(room, 'B')) return;
  room.phase = 'dialogue';
  room.floor = { speaker: room.firstSpeaker, step: 'share', turn: 1, clarifying: false, stepSince: now };
  room.stats.dialogueStartedAt = now;
  room.stats[room.firstSpeaker].turns += 1;
  log({ kind: 'dialogueStarted', speaker: room.firstSpeaker, turn: 1 });
}

function advance(room: Room, step: Step, seat: Partner, now: number, log: Log): void {
  const floor = room.floor!;
  if (step === 'heard') {
    const speaker = otherPartner(floor.speaker);
    room.floor = { speaker, step: 'share', turn: floor.turn + 1, clarifying: false, stepSince: now };
    room.stats[speaker].turns += 1;
    log({ kind: 'floorPassed', by: seat, speaker, turn: room.floor.turn });
    return;
  }
  const next = NEXT_AFTER_ADVANCE[step]!;
  floor.step = next;
  floor.stepSince = now;
  log({ kind: 'step', by: seat, step: next, turn: floor.turn });
}

function check(room: Room, command: CommandOf<'check'>, seat: Partner, now: number, log: Log): void {
  const floor = room.floor!;
  if (command.result === 'missed') {
    floor.step = 'share';
    floor.clarifying = true;
    room.stats[otherPartner(floor.speaker)].missedMirrors += 1;
  } else {
    floor.step = command.result === 'more' ? 'share' : room.method === 'imago' ? 'summary' : 'heard';
    floor.clarifying = false;
  }
  floor.stepSince = now;
  log({ kind: 'step', by: seat, result: command.result, step: floor.step, turn: floor.turn });
}

/**
 * Ends the break. Its timeline entry names whose break it was (`by`); when the moderator ended
 * it, `by` is the moderator and `seat` whose break it was, as `ended` names the moderator too.
 */
function endBreak(room: Room, now: number, log: Log, endedBy?: 'moderator'): void {
  const brk = room.break;
  if (brk === null) return;
  const record = room.stats[brk.by].breaks.at(-1);
  if (record !== undefined && record.endedAt === null) record.endedAt = now;
  room.break = null;
  log(endedBy === undefined ? { kind: 'breakEnded', by: brk.by } : { kind: 'breakEnded', by: endedBy, seat: brk.by });
}

function capped<T>(list: T[]): T[] {
  return list.length > STORED_LIST_LIMIT ? list.slice(-STORED_LIST_LIMIT) : list;
}

/**
 * Coach lines are kept per audience: a line stays while it is among the last lines
 * either partner can see. Cutting one shared list instead would let lines to one
 * partner push the other's lines out of their view — a change they could notice.
 * (The moderator's view, the last lines of all, is always among those kept.)
 */
function prunedCoach(lines: CoachLine[]): CoachLine[] {
  const keep = new Set<CoachLine>();
  for (const partner of ['A', 'B'] as const) {
    const seen = lines.filter((line) => line.to === partner || line.to === 'both');
    for (const line of seen.slice(-VIEW_LIST_LIMIT)) keep.add(line);
  }
  return keep.size === lines.length ? lines : lines.filter((line) => keep.has(line));
}

/**
 * Completes an accepted change: appends its events, keeps the share clock for the
 * summary, and raises `rev` by one when the change is visible to both partners.
 */
export function finish(before: Room, after: Room, events: TimelineEvent[], now: number): Accepted {
  if (events.length > 0) after.timeline = capped([...after.timeline, ...events]);
  syncShareClock(before, after, now);
  const seenBy = { A: seesChange(before, after, 'A'), B: seesChange(before, after, 'B') };
  const changed = seenBy.A || seenBy.B || !sameValue(before, after);
  if (!changed) return { ok: true, room: before, events: [], changed: false, audience: [] };
  if (seenBy.A && seenBy.B) after.rev = before.rev + 1;
  after.updatedAt = now;
  const audience: SeatId[] = (['A', 'B'] as const).filter((p) => seenBy[p]);
  // The moderator's view holds everything stored that a person can see: it changes with any change.
  if (after.seats.moderator !== null) audience.push('moderator');
  return { ok: true, room: after, events, changed: true, audience };
}

/** Whether a seat's view (without `rev`, `serverNow` and presence) differs between two rooms. */
function seesChange(before: Room, after: Room, seat: SeatId): boolean {
  return !sameValue(viewFor(before, seat, 0), viewFor(after, seat, 0));
}

/** Who is speaking in `share` with nothing lying over the conversation, if anyone. */
function sharingSpeaker(room: Room): Partner | null {
  if (room.phase !== 'dialogue' || room.floor === null || room.floor.step !== 'share') return null;
  if (room.break !== null || room.paused) return null;
  return room.floor.speaker;
}

/** Floor time counts only in `share`, breaks and pauses excluded (PROTOCOL.md section 7). */
function syncShareClock(before: Room, after: Room, now: number): void {
  const was = sharingSpeaker(before);
  const is = sharingSpeaker(after);
  const clock = after.stats.shareClock;
  // Same speaker still sharing without a step in between: the clock runs on.
  if (was !== null && was === is && clock !== null && before.floor?.stepSince === after.floor?.stepSince) return;
  if (clock !== null) {
    after.stats[clock.speaker].floorMs += Math.max(0, now - clock.since);
    after.stats.shareClock = null;
  }
  if (is !== null) after.stats.shareClock = { speaker: is, since: now };
}
