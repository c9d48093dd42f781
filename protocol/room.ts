import { z } from 'zod';
import {
  Appointment,
  BreakState,
  CheckInAnswer,
  EpochMs,
  Method,
  Partner,
  Phase,
  RepairEntry,
  Step,
  TimelineEvent,
} from './schemas';

/**
 * The full room as the server stores it. It holds no secrets (key and invite hashes
 * live beside it in the store) and no words of the conversation; the only free text is
 * the names, the topic, coach lines and moderator notes, all deleted with the room.
 */

export const SeatRecord = z.strictObject({ name: z.string().nullable(), joined: z.boolean() });
export type SeatRecord = z.infer<typeof SeatRecord>;

export const FloorRecord = z.strictObject({
  speaker: Partner,
  step: Step,
  turn: z.number().int().min(1),
  clarifying: z.boolean(),
  stepSince: EpochMs,
});
export type FloorRecord = z.infer<typeof FloorRecord>;

export const CoachLine = z.strictObject({ at: EpochMs, to: z.enum(['A', 'B', 'both']), text: z.string() });
export type CoachLine = z.infer<typeof CoachLine>;

/** A room stored before `breakCount` was kept had every break of a partner in its list. */
function countStoredBreaks(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || 'breakCount' in value) return value;
  const breaks = (value as { breaks?: unknown }).breaks;
  return Array.isArray(breaks) ? { ...value, breakCount: breaks.length } : value;
}

export const PartnerStats = z.preprocess(
  countStoredBreaks,
  z.strictObject({
    floorMs: z.number().int().nonnegative(),
    turns: z.number().int().nonnegative(),
    missedMirrors: z.number().int().nonnegative(),
    /** The last breaks they called (at most `STORED_LIST_LIMIT`), most recent last. */
    breaks: z.array(z.strictObject({ startedAt: EpochMs, endedAt: EpochMs.nullable() })),
    /** Every break they called, also those the list no longer holds. */
    breakCount: z.number().int().nonnegative(),
    repairs: z.number().int().nonnegative(),
  }),
);
export type PartnerStats = z.infer<typeof PartnerStats>;

export const RoomStats = z.strictObject({
  dialogueStartedAt: EpochMs.nullable(),
  endedAt: EpochMs.nullable(),
  /** Who is speaking in `share` right now, and since when, while no break or pause lies over it. */
  shareClock: z.strictObject({ speaker: Partner, since: EpochMs }).nullable(),
  A: PartnerStats,
  B: PartnerStats,
});
export type RoomStats = z.infer<typeof RoomStats>;

export const Room = z.strictObject({
  version: z.literal(1),
  id: z.string(),
  rev: z.number().int().nonnegative(),
  createdAt: EpochMs,
  updatedAt: EpochMs,
  method: Method,
  topic: z.string(),
  breakMinutes: z.number().int(),
  firstSpeaker: Partner,
  /** Milliseconds in one protocol minute: 60 000 divided by `DUOLOGUE_TIME_SCALE`, fixed at creation. */
  minuteMs: z.number().positive(),
  phase: Phase,
  seats: z.strictObject({ A: SeatRecord, B: SeatRecord, moderator: SeatRecord.nullable() }),
  checkin: z.strictObject({ A: CheckInAnswer.nullable(), B: CheckInAnswer.nullable() }),
  floor: FloorRecord.nullable(),
  break: BreakState.nullable(),
  paused: z.boolean(),
  appointment: Appointment.nullable(),
  repairs: z.array(RepairEntry),
  coach: z.array(CoachLine),
  notes: z.array(z.strictObject({ at: EpochMs, text: z.string() })),
  timeline: z.array(TimelineEvent),
  stats: RoomStats,
});
export type Room = z.infer<typeof Room>;
