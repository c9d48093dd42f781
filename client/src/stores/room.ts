import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { CommandInput, CommandType, Partner, SeatId, StateView, Step } from '@protocol/schemas';
import { allowedCommands } from '@protocol/machine/allowed';
import { dropPending, sendCommand } from '../lib/command-queue';
import { forgetSeat, loadSeat, type SeatRecord } from '../lib/seat-keys';
import { closeRoomSocket, openRoomSocket } from '../lib/socket';
import { errorText } from '../i18n';
import { useConnectionStore } from './connection';

/** Where the floor stood when a break began: shown once as a reminder when the talk resumes. */
export interface ResumePoint {
  speaker: Partner;
  step: Step;
  turn: number;
}

const NOTHING: ReadonlySet<CommandType> = new Set();

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
  const resumePoint = ref<ResumePoint | null>(null);

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

  /** True when this seat may send `type` now, by the shared rules and the connection. */
  function can(type: CommandType): boolean {
    return canAct.value && allowed.value.has(type);
  }

  /** Opens a room this device holds a seat in; false when it holds none. */
  function open(id: string): boolean {
    const stored = loadSeat(id);
    if (stored === null) return false;
    if (roomId.value !== id) {
      view.value = null;
      resumePoint.value = null;
      notice.value = null;
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
    if (before?.break && !next.break && next.floor && next.phase === 'dialogue') {
      resumePoint.value = { speaker: next.floor.speaker, step: next.floor.step, turn: next.floor.turn };
    } else if (before?.floor && next.floor && before.floor.step !== next.floor.step) {
      resumePoint.value = null;
    }
    // A refusal speaks of the screen it happened on; a new screen starts clean.
    if (before && (before.phase !== next.phase || before.floor?.step !== next.floor?.step || !before.break !== !next.break)) {
      notice.value = null;
    }
    view.value = next;
  }

  /** Sends a command; a refusal leaves its message in `notice`. */
  async function send(input: CommandInput): Promise<boolean> {
    notice.value = null;
    sending.value += 1;
    try {
      const ack = await sendCommand(input);
      if (!ack.ok) notice.value = errorText(ack.error.code, ack.error.message);
      return ack.ok;
    } finally {
      sending.value -= 1;
    }
  }

  function markDeleted(): void {
    if (roomId.value) forgetSeat(roomId.value);
    deleted.value = true;
    view.value = null;
  }

  /** Leaves the room on this device: closes the connection and forgets the seat key. */
  function forget(): void {
    if (roomId.value) forgetSeat(roomId.value);
    closeRoomSocket();
    dropPending();
    sending.value = 0;
    roomId.value = null;
    record.value = null;
    view.value = null;
    resumePoint.value = null;
  }

  return {
    roomId,
    record,
    view,
    deleted,
    notice,
    resumePoint,
    seat,
    me,
    partner,
    partnerName,
    allowed,
    canAct,
    role,
    can,
    open,
    receive,
    send,
    markDeleted,
    forget,
  };
});
