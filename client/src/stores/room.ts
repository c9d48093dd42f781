import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type {
  CheckInAnswer,
  CommandInput,
  CommandType,
  Partner,
  RepairEntry,
  SeatId,
  StateView,
  Step,
  Tendency,
  TimelineEvent,
  TimelineKind,
} from '@protocol/schemas';
import { allowedCommands } from '@protocol/machine/allowed';
import { STEP_ACTOR } from '@protocol/machine/steps';
import { dropPending, sendCommand } from '../lib/command-queue';
import { forgetSeat, loadSeat, noteGone, saveSeat, type SeatRecord } from '../lib/seat-keys';
import { closeRoomSocket, openRoomSocket } from '../lib/socket';
import { errorText } from '../i18n';
import { useConnectionStore } from './connection';

/** Where the floor stood when a break began: shown once as a reminder when the talk resumes. */
export interface ResumePoint {
  speaker: Partner;
  step: Step;
  turn: number;
}

/** The therapist moved the talk while this phone watched: said once on the talk screen. */
export type Steered =
  /** The floor handed over; `step` when the therapist then moved that turn on to another step too. */
  | { kind: 'floor'; speaker: Partner; turn: number; step?: Step }
  | { kind: 'step'; step: Step }
  | { kind: 'breakEnded' };

/**
 * The timeline events a change added: those after `before`'s newest one. None when that event is
 * no longer in `next` (the list holds the last 50) or when `before` had none.
 */
export function eventsAdded(before: StateView, next: StateView): TimelineEvent[] {
  const last = before.timeline.at(-1);
  if (last === undefined) return [];
  const key = JSON.stringify(last);
  for (let i = next.timeline.length - 1; i >= 0; i -= 1) {
    if (JSON.stringify(next.timeline[i]) === key) return next.timeline.slice(i + 1);
  }
  return [];
}

/** What the moderator did in a change, for the partners' screens; null when it was not theirs. */
export function steeredIn(before: StateView, next: StateView): Steered | null {
  const added = eventsAdded(before, next);
  const floor = next.floor;
  const at = added.findLastIndex((e) => e.by === 'moderator' && (e.kind === 'setFloor' || e.kind === 'setStep'));
  // Said only of the screen it made: a phone that took in several changes at once (it was
  // asleep) may hold the therapist's move and the partners' moves after it.
  const movedOnSince = added.slice(at + 1).some((e) => e.kind === 'step' || e.kind === 'floorPassed');
  const mine = at < 0 || movedOnSince ? undefined : added[at];
  if (mine?.kind === 'setFloor' && floor !== null && floor.speaker === mine.speaker && floor.turn === mine.turn && floor.step === 'share') {
    return { kind: 'floor', speaker: floor.speaker, turn: floor.turn };
  }
  if (mine?.kind === 'setStep' && floor !== null && floor.step === mine.step && floor.turn === mine.turn) return { kind: 'step', step: floor.step };
  // The moderator's end of a break names the moderator; a break both partners ended names whose it was.
  const breakEnded = added.some((e) => e.kind === 'breakEnded' && e.by === 'moderator');
  if (before.break !== null && next.break === null && next.phase === 'dialogue' && before.seats.moderator !== null && breakEnded) return { kind: 'breakEnded' };
  return null;
}

const NOTHING: ReadonlySet<CommandType> = new Set();
/** Commands sent without the screen's `rev`: "I need a break" must work whatever just changed. */
const SCREEN_FREE: ReadonlySet<CommandType> = new Set(['flood', 'repair']);
/** A protocol minute when the server does not say (60 000 ms: time scale 1). */
const REAL_MINUTE_MS = 60_000;

/** The check-in's answers as the form holds them, each unanswered until tapped. */
export interface CheckInDraft {
  calm: number | null;
  tendency: Tendency | null;
  safe: boolean | null;
}

/** A check-in form with nothing tapped yet. */
export function emptyDraft(): CheckInDraft {
  return { calm: null, tendency: null, safe: null };
}

/** The highest check-in calm that still counts as tense. */
const TENSE_AT_MOST = 3;

/** This seat's own check-in answer in a view (a partner's view holds only its own), or null. */
function ownCheckin(view: StateView | null): CheckInAnswer | null {
  const c = view?.checkin;
  return c != null && 'calm' in c ? c : null;
}

/**
 * The room this device sits in: the latest `state` the server sent (always the truth),
 * this seat, the commands it may send now, and sending them.
 */
export const useRoomStore = defineStore('room', () => {
  const connection = useConnectionStore();
  const roomId = ref<string | null>(null);
  const record = ref<SeatRecord | null>(null);
  const view = ref<StateView | null>(null);
  const deleted = ref(false);
  /** The last refusal, in plain words. */
  const notice = ref<string | null>(null);
  const sending = ref(0);
  /** The kinds of command now waiting for their answer. */
  const inFlight = ref(new Set<CommandType>());
  const resumePoint = ref<ResumePoint | null>(null);
  /** A break taken during the check-in has ended: the check-in says where the talk stands. */
  const checkInResumed = ref(false);
  /**
   * What this phone has tapped on the check-in form and not sent yet: the form is gone while a
   * break covers the screen, and the answers come back with it. Emptied once sent.
   */
  const checkInDraft = ref<CheckInDraft>(emptyDraft());
  /** A repair phrase that arrived while this phone watched: shown once, as a moment. */
  const freshRepair = ref<RepairEntry | null>(null);
  /** True once the inviter moved on from "{name} is here" to the check-in. */
  const welcomed = ref(false);
  /** The moderator's last move of the talk, until the talk moves on by the partners' hands. */
  const steered = ref<Steered | null>(null);

  const seat = computed<SeatId | null>(() => view.value?.you ?? record.value?.seat ?? null);
  const me = computed<Partner | null>(() => (seat.value === 'A' || seat.value === 'B' ? seat.value : null));
  const partner = computed<Partner | null>(() => (me.value === null ? null : me.value === 'A' ? 'B' : 'A'));
  const partnerName = computed(() => (partner.value && view.value?.seats[partner.value].name) || '');
  const allowed = computed<ReadonlySet<CommandType>>(() => {
    const v = view.value;
    if (!v || !seat.value) return NOTHING;
    // A due break is past its minimum by the server's word, even before the next 1 s tick.
    const now = v.break?.due ? Math.max(connection.serverNow, v.break.minUntil) : connection.serverNow;
    return new Set(allowedCommands(v, seat.value, now));
  });
  /** True when a tap can go out now: connected, state back, nothing in flight. */
  const canAct = computed(() => connection.ready && sending.value === 0);
  const role = computed<'speaker' | 'listener' | null>(() => {
    const floor = view.value?.floor;
    if (!floor || me.value === null) return null;
    return floor.speaker === me.value ? 'speaker' : 'listener';
  });
  /** True when the current step of the floor is this seat's to move on. */
  const acting = computed(() => {
    const floor = view.value?.floor;
    return floor != null && role.value !== null && STEP_ACTOR[floor.step] === role.value;
  });
  /** This partner's own check-in answer, or null (not answered yet, or the moderator). */
  const myCheckin = computed<CheckInAnswer | null>(() => ownCheckin(view.value));
  /** This partner said at the check-in that they feel tense (a calm of 3 or less): they get a gentle word. */
  const feelsTense = computed(() => (myCheckin.value?.calm ?? Infinity) <= TENSE_AT_MOST);
  /**
   * The next talk's time as the closing and the summary should speak of it: the room's
   * appointment, unless it was proposed or agreed before this talk's dialogue began (it was for
   * the talk just held). Then there is none yet, and the closing asks for one.
   */
  const nextAppointment = computed(() => {
    const v = view.value;
    const appointment = v?.appointment ?? null;
    if (v === null || appointment === null || (v.phase !== 'closing' && v.phase !== 'ended')) return appointment;
    const made = v.timeline.findLastIndex((e) => e.kind === 'timeProposed' || e.kind === 'timeAccepted');
    // Not among the last 50 events at all: from long before the closing.
    if (made < 0) return null;
    return made > v.timeline.findLastIndex((e) => e.kind === 'dialogueStarted') ? appointment : null;
  });
  /** The room's protocol minute in ms: shorter than a real one when the server runs scaled time. */
  const minuteMs = computed(() => view.value?.settings.minuteMs ?? REAL_MINUTE_MS);
  /** Who made the most recent event of a kind, from the shared timeline. */
  function lastEvent(kind: TimelineKind): TimelineEvent | null {
    return view.value?.timeline.findLast((e) => e.kind === kind) ?? null;
  }

  /**
   * True when this seat may send `type` now, by the shared rules and the connection. A break and
   * a repair phrase do not wait on another tap still unanswered (on a slow line that can take
   * many seconds): the break is the way out of the talk at every moment. Only one of each goes
   * at a time.
   */
  function can(type: CommandType): boolean {
    if (!connection.ready || !allowed.value.has(type)) return false;
    return SCREEN_FREE.has(type) ? !inFlight.value.has(type) : sending.value === 0;
  }

  /** Opens a room this device holds a seat in; false when it holds none. */
  function open(id: string): boolean {
    const stored = loadSeat(id);
    if (stored === null) return false;
    if (roomId.value !== id) {
      view.value = null;
      resumePoint.value = null;
      checkInResumed.value = false;
      checkInDraft.value = emptyDraft();
      notice.value = null;
      freshRepair.value = null;
      welcomed.value = false;
      steered.value = null;
    }
    roomId.value = id;
    record.value = stored;
    deleted.value = false;
    if (openRoomSocket({ roomId: id, seatKey: stored.seatKey })) connection.connecting();
    return true;
  }

  /** Takes in a `state`, noting where the talk stood when a break ends. */
  function receive(next: StateView): void {
    const before = view.value;
    // Gone once the check-in moves on: a new answer from this phone, or another phase.
    const answered = (v: StateView | null) => JSON.stringify(ownCheckin(v));
    if (next.phase !== 'checkin' || (checkInResumed.value && answered(before) !== answered(next))) checkInResumed.value = false;
    // Only for a partner still to answer: one who had checked in has no check-in to go on with.
    else if (before?.break && !next.break && ownCheckin(next) === null) checkInResumed.value = true;
    if (before?.break && !next.break && next.floor && next.phase === 'dialogue') {
      resumePoint.value = { speaker: next.floor.speaker, step: next.floor.step, turn: next.floor.turn };
    } else if (before?.floor && next.floor && before.floor.step !== next.floor.step) {
      resumePoint.value = null;
    }
    if (before) {
      const moved = steeredIn(before, next);
      const earlier = steered.value;
      // The floor handed over and then that turn moved to another step (a therapist rearranging
      // the talk during a pause): both are said, in one line.
      if (moved?.kind === 'step' && earlier?.kind === 'floor' && earlier.turn === next.floor?.turn) steered.value = { ...earlier, step: moved.step };
      // A break the therapist ends during a pause: the floor or step they moved is what the talk resumes with.
      else if (moved?.kind === 'breakEnded' && next.paused && earlier !== null) steered.value = earlier;
      else if (moved !== null) steered.value = moved;
      else if (
        before.phase !== next.phase ||
        before.floor?.step !== next.floor?.step ||
        before.floor?.turn !== next.floor?.turn ||
        // A break during a pause keeps it: the pause screen comes back after it, moves and all.
        (!before.break && next.break && !next.paused) ||
        // A pause starts clean; what the therapist moves during it is said once the talk goes on.
        (!before.paused && next.paused)
      ) {
        steered.value = null;
      }
    }
    // A refusal speaks of the screen it happened on; a new screen starts clean.
    if (before && (before.phase !== next.phase || before.floor?.step !== next.floor?.step || !before.break !== !next.break)) {
      notice.value = null;
    }
    // Only a phrase sent while this phone watched is a moment; after a reload the old ones are history.
    const latest = next.repairs.at(-1);
    if (before && latest && (before.repairs.at(-1)?.at ?? -1) < latest.at) freshRepair.value = latest;
    // A seat opened with a key alone learns which seat it is from the first state.
    if (roomId.value === next.roomId && record.value && record.value.seat !== next.you) {
      record.value = { ...record.value, seat: next.you };
      saveSeat(next.roomId, record.value);
    }
    view.value = next;
    // A partner who answered that they do not feel safe: the start screen must not lead anyone
    // who picks up this phone back to that talk (its safety screen) in one tap.
    const unsafe = myCheckin.value?.safe === false;
    if (roomId.value === next.roomId && record.value && (record.value.unsafe === true) !== unsafe) {
      record.value = { ...record.value, unsafe: unsafe || undefined };
      saveSeat(next.roomId, record.value);
    }
  }

  /** The repair moment has been seen: it folds away. */
  function repairSeen(): void {
    freshRepair.value = null;
  }

  /** The inviter saw their partner arrive and goes on to the check-in. */
  function welcome(): void {
    welcomed.value = true;
  }

  /** Sends a command; a refusal leaves its message in `notice`. */
  async function send(input: CommandInput): Promise<boolean> {
    notice.value = null;
    sending.value += 1;
    inFlight.value.add(input.type);
    try {
      // The tap was made on this screen: a talk that moved on since answers `stale`. A break
      // and a repair phrase mean the same on any screen, so they never wait on one.
      const rev = SCREEN_FREE.has(input.type) ? undefined : view.value?.rev;
      const ack = await sendCommand(input, rev);
      if (!ack.ok) notice.value = errorText(ack.error.code, ack.error.message);
      return ack.ok;
    } finally {
      sending.value -= 1;
      inFlight.value.delete(input.type);
    }
  }

  function markDeleted(): void {
    if (roomId.value) {
      forgetSeat(roomId.value);
      noteGone(roomId.value);
    }
    deleted.value = true;
    view.value = null;
  }

  /** Leaves the room on this device: closes the connection and forgets the seat key. */
  function forget(): void {
    if (roomId.value) forgetSeat(roomId.value);
    closeRoomSocket();
    dropPending();
    sending.value = 0;
    inFlight.value.clear();
    roomId.value = null;
    record.value = null;
    view.value = null;
    resumePoint.value = null;
    freshRepair.value = null;
  }

  return {
    roomId,
    record,
    view,
    deleted,
    notice,
    sending,
    inFlight,
    resumePoint,
    checkInResumed,
    checkInDraft,
    freshRepair,
    welcomed,
    steered,
    seat,
    me,
    partner,
    partnerName,
    allowed,
    canAct,
    role,
    acting,
    myCheckin,
    feelsTense,
    nextAppointment,
    minuteMs,
    can,
    lastEvent,
    open,
    receive,
    repairSeen,
    welcome,
    send,
    markDeleted,
    forget,
  };
});
