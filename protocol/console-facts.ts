import type { RepairPhrase } from './repairs';
import type { CheckInAnswer, Partner, SeatId, StateView, Step, TimelineEvent } from './schemas';
import { actorOf, otherPartner, stepsFor } from './machine/steps';

/**
 * What a moderator's console reads off the `state` it was sent: pure functions of the view
 * and the server's clock, shared by the client and its tests. No words here: the console
 * puts these facts into its locale's sentences.
 */

/** Where a partner stands in the room: not yet joined, joined and connected, or joined and gone. */
export type Attendance = 'invited' | 'here' | 'away';

export interface PartnerFacts {
  seat: Partner;
  /** Null until they join: the server learns a partner's name from their join. */
  name: string | null;
  attendance: Attendance;
  /** Checked in feeling safe, as both partners see it. */
  checkedIn: boolean;
  /** Their last check-in answer, which only the moderator sees. */
  answer: CheckInAnswer | null;
  /** True when they answered that they do not feel safe having this talk. */
  unsafe: boolean;
}

/** Both check-in answers of a moderator's view (a partner's view holds only its own). */
export function checkInAnswers(view: StateView): Record<Partner, CheckInAnswer | null> {
  const c = view.checkin;
  return c !== null && 'A' in c ? c : { A: null, B: null };
}

/** One partner as the console shows them. */
export function partnerFacts(view: StateView, seat: Partner): PartnerFacts {
  const s = view.seats[seat];
  const answer = checkInAnswers(view)[seat];
  return {
    seat,
    name: s.name,
    attendance: !s.joined ? 'invited' : s.online ? 'here' : 'away',
    checkedIn: s.checkedIn,
    answer,
    unsafe: answer?.safe === false,
  };
}

export interface PresenceSummary {
  joined: number;
  here: number;
  /** Whose answer was "not safe": the console flags it, privately. */
  unsafe: Partner[];
}

/** How many partners joined and are connected, for a room's line in the console's list. */
export function presenceSummary(view: StateView): PresenceSummary {
  const both = [partnerFacts(view, 'A'), partnerFacts(view, 'B')];
  return {
    joined: both.filter((p) => p.attendance !== 'invited').length,
    here: both.filter((p) => p.attendance === 'here').length,
    unsafe: both.filter((p) => p.unsafe).map((p) => p.seat),
  };
}

/** What lies over the conversation, if anything: a break (running or due) comes before a pause. */
export type Overlay = 'break' | 'breakDue' | 'pause' | null;

export function overlayOf(view: StateView): Overlay {
  if (view.break !== null) return view.break.due ? 'breakDue' : 'break';
  return view.paused ? 'pause' : null;
}

export interface FloorFacts {
  speaker: Partner;
  listener: Partner;
  step: Step;
  /** The partner whose move ends this step. */
  actor: Partner;
  turn: number;
  clarifying: boolean;
  /** The steps of the room's method, in order, and this step's place among them (1-based). */
  steps: readonly Step[];
  stepNumber: number;
  /** Since when the step runs (server ms), and for how long it has run at `now`. */
  since: number;
  elapsedMs: number;
}

/** The floor in `dialogue`, with how long its step has run by the server's clock; null outside it. */
export function floorFacts(view: StateView, now: number): FloorFacts | null {
  const floor = view.floor;
  if (floor === null) return null;
  const steps = stepsFor(view.method);
  return {
    speaker: floor.speaker,
    listener: floor.listener,
    step: floor.step,
    actor: actorOf(floor),
    turn: floor.turn,
    clarifying: floor.clarifying,
    steps,
    stepNumber: steps.indexOf(floor.step) + 1,
    since: floor.stepSince,
    elapsedMs: Math.max(0, now - floor.stepSince),
  };
}

export interface BreakFacts {
  by: Partner;
  /** The partner who did not call it. */
  other: Partner;
  startedAt: number;
  minUntil: number;
  returnAt: number;
  due: boolean;
  ready: Record<Partner, boolean>;
  /** Until the return time, never below zero. */
  remainingMs: number;
  /** The break's minimum has passed: its caller may say they are ready. */
  minimumPassed: boolean;
  /** How often its caller moved the return time later. */
  extensions: number;
}

/** The break lying over the talk, with its countdown by the server's clock; null when none. */
export function breakFacts(view: StateView, now: number): BreakFacts | null {
  const brk = view.break;
  if (brk === null) return null;
  const extensions = view.timeline.filter((e) => e.kind === 'breakExtended' && e.at >= brk.startedAt).length;
  return {
    by: brk.by,
    other: otherPartner(brk.by),
    startedAt: brk.startedAt,
    minUntil: brk.minUntil,
    returnAt: brk.returnAt,
    due: brk.due,
    ready: { ...brk.ready },
    remainingMs: brk.due ? 0 : Math.max(0, brk.returnAt - now),
    minimumPassed: brk.due || now >= brk.minUntil,
    extensions,
  };
}

/**
 * What a timeline entry says happened, one name per sentence the console has. A `step` entry
 * is read by the step it ended: its `step` field holds the step that came next.
 */
export type TimelineWhat =
  | 'created'
  | 'joined'
  | 'checkedIn'
  | 'dialogueStarted'
  | 'shared'
  | 'mirrored'
  | 'summedUp'
  | 'validated'
  | 'empathized'
  | 'stepReached'
  | 'checkMissed'
  | 'checkMore'
  | 'checkComplete'
  | 'floorPassed'
  | 'flood'
  | 'breakExtended'
  | 'ready'
  | 'breakDue'
  | 'breakEnded'
  | 'breakEndedByModerator'
  | 'paused'
  | 'resumed'
  | 'setFloor'
  | 'setStep'
  | 'repair'
  | 'timeProposed'
  | 'timeAccepted'
  | 'wrapUp'
  | 'ended'
  | 'endedByModerator';

export interface TimelineLine {
  at: number;
  what: TimelineWhat;
  /** Whose move it was; null for what the room did by itself (the talk beginning). */
  who: SeatId | null;
  /** The partner who holds the floor after it, where the move gave the floor. */
  speaker?: Partner;
  step?: Step;
  turn?: number;
  phrase?: RepairPhrase;
  /** A time the move named: a break's return, a proposed next talk. */
  time?: number;
}

// An `advance` logs the step it led to; each of these is reached from exactly one step.
const ENDED_BY_ADVANCE: Partial<Record<Step, TimelineWhat>> = {
  mirror: 'shared',
  check: 'mirrored',
  validate: 'summedUp',
  empathize: 'validated',
  heard: 'empathized',
};
const CHECKED: Record<NonNullable<TimelineEvent['result']>, TimelineWhat> = {
  missed: 'checkMissed',
  more: 'checkMore',
  complete: 'checkComplete',
};

function whatHappened(event: TimelineEvent): TimelineWhat {
  switch (event.kind) {
    case 'step':
      if (event.result !== undefined) return CHECKED[event.result];
      return (event.step && ENDED_BY_ADVANCE[event.step]) ?? 'stepReached';
    case 'ended':
      return event.by === 'moderator' ? 'endedByModerator' : 'ended';
    case 'breakEnded':
      return event.by === 'moderator' ? 'breakEndedByModerator' : 'breakEnded';
    default:
      return event.kind;
  }
}

/** One timeline entry as a content-free line: what happened, who did it, and its details. */
export function timelineLine(event: TimelineEvent): TimelineLine {
  const what = whatHappened(event);
  // The moderator's end of a break is said of whose break it was ("You ended Alex's break").
  const who = what === 'breakEndedByModerator' ? (event.seat ?? null) : (event.by ?? event.seat ?? null);
  const line: TimelineLine = { at: event.at, what, who };
  if (event.speaker !== undefined) line.speaker = event.speaker;
  if (event.step !== undefined) line.step = event.step;
  if (event.turn !== undefined) line.turn = event.turn;
  if (event.phrase !== undefined) line.phrase = event.phrase;
  const time = event.returnAt ?? event.when;
  if (time !== undefined) line.time = time;
  return line;
}

/** The whole timeline of a view as lines, newest first. */
export function timelineLines(view: StateView): TimelineLine[] {
  return view.timeline.map(timelineLine).reverse();
}
