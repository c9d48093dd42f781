import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import {
  breakFacts,
  checkInAnswers,
  floorFacts,
  overlayOf,
  partnerFacts,
  presenceSummary,
  timelineLine,
  timelineLines,
  type BreakFacts,
  type FloorFacts,
  type Overlay,
  type PartnerFacts,
  type PresenceSummary,
} from '@protocol/console-facts';
import { allowedCommands } from '@protocol/machine/allowed';
import type { CommandInput, CommandType, Method, Partner, StateView } from '@protocol/schemas';
import { ApiError, createRoom, deleteRoom } from '../lib/api';
import { openRoomLink, type LinkStatus, type RoomLink } from '../lib/moderator-link';
import { forgetSeat, listSeats, markUnsafeSeen, saveSeat, type SeatRecord } from '../lib/seat-keys';
import { clockOf, coachRecipient, roomTitle, seatName, timelineSentence } from '../lib/console-words';
import { errorText, requestErrorText } from '../i18n';
import { useConnectionStore } from './connection';

/** One room this browser moderates: its key and invites, and what its own connection heard. */
export interface ConsoleRoom {
  roomId: string;
  seatKey: string;
  invites: Partial<Record<Partner, string>>;
  /** When this browser opened the room (local ms), when it knows. */
  createdAt: number | null;
  view: StateView | null;
  link: LinkStatus;
  /** The handshake's refusal (`unauthorized`, `room_not_found`), when refused. */
  refusal: string | null;
  /** The last refused command, in plain words. */
  notice: string | null;
  sending: number;
}

/** What the console shows of one room, derived from its latest `state` and the server's clock. */
export interface RoomFacts {
  partners: Record<Partner, PartnerFacts & { label: string }>;
  presence: PresenceSummary;
  overlay: Overlay;
  floor: FloorFacts | null;
  break: BreakFacts | null;
  allowed: ReadonlySet<CommandType>;
}

/** A line of one of the console's lists, ready to show. */
export interface ConsoleLine {
  key: string;
  clock: string;
  text: string;
  /** For a coach line: whom it went to. */
  to?: string;
}

export interface NewRoom {
  name: string;
  topic: string;
  method: Method;
  breakMinutes: number;
  firstSpeaker: Partner;
}

/**
 * The moderator's console: every room this browser holds a moderator key for, each with its
 * own connection, its latest `state` (always the truth), and the commands it may send now.
 */
export const useConsoleStore = defineStore('console', () => {
  const connection = useConnectionStore();
  const rooms = ref<Record<string, ConsoleRoom>>({});
  /**
   * The partners this console has seen answer "not safe", per room. The view holds only the
   * latest answer, so a "no" changed before the therapist looked would otherwise leave no
   * trace. Kept with the room's key on this device (`markUnsafeSeen`), so a reload keeps the
   * warning; it goes when the room is forgotten or deleted here.
   */
  const unsafeSeen = ref<Record<string, Partner[]>>({});
  // Connections are not state: they are opened and closed with the console's pages.
  const links = new Map<string, RoomLink>();

  const roomList = computed<ConsoleRoom[]>(() =>
    Object.values(rooms.value).sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0) || a.roomId.localeCompare(b.roomId)),
  );

  /** The name the therapist gave in the newest room this browser heard from, to offer for the next one. */
  const knownName = computed<string>(() => {
    for (const room of roomList.value) {
      const name = room.view?.seats.moderator?.name;
      if (name) return name;
    }
    return '';
  });

  function connect(room: ConsoleRoom): void {
    if (links.has(room.roomId)) return;
    const id = room.roomId;
    const link = openRoomLink(
      { roomId: id, seatKey: room.seatKey },
      {
        state(view) {
          const r = rooms.value[id];
          if (!r) return;
          r.view = view;
          const answers = checkInAnswers(view);
          for (const partner of ['A', 'B'] as const) {
            const seen = unsafeSeen.value[id] ?? [];
            if (answers[partner]?.safe === false && !seen.includes(partner)) {
              unsafeSeen.value[id] = [...seen, partner];
              markUnsafeSeen(id, partner);
            }
          }
        },
        status(status, refusal) {
          const r = rooms.value[id];
          if (!r) return;
          r.link = status;
          r.refusal = refusal ?? null;
          // A deleted room's key opens nothing any more: drop it now, show the word until left.
          if (status === 'deleted') {
            forgetSeat(id);
            links.delete(id);
          }
        },
        offset: connection.setOffset,
      },
    );
    links.set(id, link);
  }

  /** Takes a stored moderator seat into the console's rooms, once. */
  function track(roomId: string, record: Pick<SeatRecord, 'seatKey' | 'invites' | 'createdAt' | 'unsafeSeen'>): ConsoleRoom {
    const existing = rooms.value[roomId];
    if (existing) return existing;
    const seen = (record.unsafeSeen ?? []).filter((partner) => partner === 'A' || partner === 'B');
    if (seen.length > 0) unsafeSeen.value[roomId] = seen;
    const room: ConsoleRoom = {
      roomId,
      seatKey: record.seatKey,
      invites: { A: record.invites?.A, B: record.invites?.B },
      createdAt: record.createdAt ?? null,
      view: null,
      link: 'connecting',
      refusal: null,
      notice: null,
      sending: 0,
    };
    rooms.value[roomId] = room;
    return room;
  }

  /** Opens a connection to every room this browser moderates. */
  function start(): void {
    for (const { roomId, record } of listSeats()) {
      if (record.seat === 'moderator') connect(track(roomId, record));
    }
  }

  /** Closes every connection: the console's pages were left. */
  function stop(): void {
    for (const link of links.values()) link.close();
    links.clear();
    rooms.value = {};
  }

  /** Opens a moderated room as its therapist, keeps its key and invites, and connects to it. */
  async function create(input: NewRoom): Promise<string> {
    const created = await createRoom({
      name: input.name.trim(),
      as: 'moderator',
      topic: input.topic.trim(),
      method: input.method,
      breakMinutes: input.breakMinutes,
      firstSpeaker: input.firstSpeaker,
    });
    const record = { seat: created.seat, seatKey: created.seatKey, invites: created.invites, createdAt: Date.now() };
    saveSeat(created.roomId, record);
    connect(track(created.roomId, record));
    return created.roomId;
  }

  /**
   * Sends a moderator command; a refusal leaves its sentence in the room's `notice`. A command
   * decided on what the console showed passes that view's `rev` as `seen`: if the talk moved
   * meanwhile, the server refuses it as `stale` instead of applying it to a changed room.
   */
  async function send(roomId: string, input: CommandInput, seen?: number): Promise<boolean> {
    const room = rooms.value[roomId];
    const link = links.get(roomId);
    if (!room || !link) return false;
    room.notice = null;
    room.sending += 1;
    try {
      const ack = await link.send(input, seen);
      if (!ack.ok && ack.error.code !== 'network') room.notice = errorText(ack.error.code, ack.error.message);
      return ack.ok;
    } finally {
      room.sending -= 1;
    }
  }

  /** Forgets a room on this device only: the partners' talk goes on. */
  function forget(roomId: string): void {
    links.get(roomId)?.close();
    links.delete(roomId);
    forgetSeat(roomId);
    delete rooms.value[roomId];
    delete unsafeSeen.value[roomId];
  }

  /** True when `partner` answered "not safe" earlier in this console's session and has since changed the answer. */
  function changedFromUnsafe(roomId: string, partner: Partner): boolean {
    const view = rooms.value[roomId]?.view;
    return view != null && (unsafeSeen.value[roomId] ?? []).includes(partner) && checkInAnswers(view)[partner]?.safe !== false;
  }

  /** Deletes a room for everyone, then forgets it here. Resolves with a refusal's sentence, or null. */
  async function remove(roomId: string): Promise<string | null> {
    const room = rooms.value[roomId];
    if (!room) return null;
    try {
      await deleteRoom(roomId, room.seatKey);
    } catch (error) {
      // Already gone: there is nothing left to delete, only to forget.
      if (!(error instanceof ApiError && error.code === 'room_not_found')) {
        return requestErrorText(error);
      }
    }
    forget(roomId);
    return null;
  }

  /** What the console shows of a room now; null until its first `state`. */
  function factsOf(roomId: string): RoomFacts | null {
    const view = rooms.value[roomId]?.view;
    if (!view) return null;
    const now = connection.serverNow;
    const partner = (seat: Partner) => ({ ...partnerFacts(view, seat), label: seatName(view, seat) });
    return {
      partners: { A: partner('A'), B: partner('B') },
      presence: presenceSummary(view),
      overlay: overlayOf(view),
      floor: floorFacts(view, now),
      break: breakFacts(view, now),
      allowed: new Set(allowedCommands(view, 'moderator', now)),
    };
  }

  /** True when the console may send `type` to a room now: connected, idle, and allowed by the rules. */
  function can(roomId: string, type: CommandType): boolean {
    const room = rooms.value[roomId];
    if (!room || room.link !== 'online' || room.sending > 0) return false;
    return factsOf(roomId)?.allowed.has(type) ?? false;
  }

  /** What the console calls a room: its partners' names once one joined, else when it was opened. */
  function titleOf(roomId: string): string {
    const room = rooms.value[roomId];
    return roomTitle(room?.view ?? null, room?.createdAt ?? null);
  }

  /** The words key for a room's connection when it is not simply online, else null. */
  function linkWordOf(roomId: string): string | null {
    const room = rooms.value[roomId];
    if (!room || room.link === 'online' || room.link === 'closed') return null;
    if (room.link === 'refused') return room.refusal === 'unauthorized' ? 'console.link.refused' : 'console.link.gone';
    return `console.link.${room.link}`;
  }

  /** The newest timeline line in words, for the console's live region. */
  function latestOf(roomId: string): string {
    const view = rooms.value[roomId]?.view;
    const last = view?.timeline.at(-1);
    return view && last ? timelineSentence(view, timelineLine(last)) : '';
  }

  /** The room's timeline in words, newest first. */
  function timelineOf(roomId: string): ConsoleLine[] {
    const view = rooms.value[roomId]?.view;
    if (!view) return [];
    return timelineLines(view).map((line, i) => ({ key: `${line.at}-${i}`, clock: clockOf(line.at), text: timelineSentence(view, line) }));
  }

  /** Coach lines sent, newest first, each with whom it went to. */
  function coachOf(roomId: string): ConsoleLine[] {
    const view = rooms.value[roomId]?.view;
    if (!view) return [];
    return view.coach
      .map((c, i) => ({ key: `${c.at}-${i}`, clock: clockOf(c.at), text: c.text, to: coachRecipient(view, c.to) }))
      .reverse();
  }

  /** Private notes, newest first. */
  function notesOf(roomId: string): ConsoleLine[] {
    const view = rooms.value[roomId]?.view;
    if (!view) return [];
    return view.notes.map((n, i) => ({ key: `${n.at}-${i}`, clock: clockOf(n.at), text: n.text })).reverse();
  }

  /** Repair phrases as they arrived, newest first: who sent which phrase. */
  function repairsOf(roomId: string): ConsoleLine[] {
    const view = rooms.value[roomId]?.view;
    if (!view) return [];
    return view.repairs
      .map((r, i) => {
        const line = timelineLine({ at: r.at, kind: 'repair', by: r.by, phrase: r.phrase });
        return { key: `${r.at}-${i}`, clock: clockOf(r.at), text: timelineSentence(view, line) };
      })
      .reverse();
  }

  return {
    rooms,
    roomList,
    knownName,
    start,
    stop,
    create,
    send,
    forget,
    remove,
    factsOf,
    changedFromUnsafe,
    can,
    titleOf,
    linkWordOf,
    latestOf,
    timelineOf,
    coachOf,
    notesOf,
    repairsOf,
  };
});
