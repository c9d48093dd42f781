import { z } from 'zod';
import { COMMAND_TYPES } from './command-types';
import { REPAIR_GROUPS, REPAIR_PHRASES } from './repairs';

/** Shared building blocks of the wire contract (PROTOCOL.md sections 1–5). */

export const SECRET_PATTERN = /^[A-Za-z0-9_-]{22,128}$/;
export const Secret = z.string().regex(SECRET_PATTERN, 'must be a base64url string of 22 to 128 characters');

export const Partner = z.enum(['A', 'B']);
export type Partner = z.infer<typeof Partner>;
export const SeatId = z.enum(['A', 'B', 'moderator']);
export type SeatId = z.infer<typeof SeatId>;
export const Method = z.enum(['imago', 'speaker-listener']);
export type Method = z.infer<typeof Method>;
export const Phase = z.enum(['lobby', 'checkin', 'dialogue', 'closing', 'ended']);
export type Phase = z.infer<typeof Phase>;
export const Step = z.enum(['share', 'mirror', 'check', 'summary', 'validate', 'empathize', 'heard']);
export type Step = z.infer<typeof Step>;
export const CheckResult = z.enum(['missed', 'more', 'complete']);
export type CheckResult = z.infer<typeof CheckResult>;
export const Tendency = z.enum(['pursue', 'withdraw', 'unsure']);
export type Tendency = z.infer<typeof Tendency>;
export const RepairPhraseId = z.enum(REPAIR_PHRASES);
export const RepairGroupId = z.enum(REPAIR_GROUPS);

// Text that one person types and another reads on their phone. Control characters have no
// place in it (line breaks only in a text of several lines); neither have format characters,
// which are invisible (zero-width spaces) or reorder what is seen (direction overrides and
// isolates), except a joiner between two visible characters, which emoji sequences and
// scripts such as Persian need. And some of it must be visible.
const CONTROL_ONE_LINE = /[\p{Cc}\p{Cs}\u2028\u2029]/u;
const CONTROL_MULTILINE = /(?![\t\n\r])\p{Cc}|[\p{Cs}\u2028\u2029]/u;
const JOINED = /[\p{L}\p{M}\p{N}\p{Extended_Pictographic}\p{Emoji_Modifier}\uFE0F]/u.source;
const JOINER = new RegExp(`(?<=${JOINED})[\\u200C\\u200D](?=${JOINED})`, 'gu');
// The one use of tag characters in text: the flag of a subdivision, a black flag followed by a
// region's tag letters (two for the country, one to four for the region) and a cancel tag, as in
// Scotland's 🏴 g b s c t. Any other tag character hides text that shows as nothing.
const EMOJI_TAG = /\u{1F3F4}[\u{E0061}-\u{E007A}]{2}[\u{E0030}-\u{E0039}\u{E0061}-\u{E007A}]{1,4}\u{E007F}/gu;
const FORMAT = /\p{Cf}/u;
// A variation selector picks how the character before it is drawn: text or emoji style after
// an emoji (❤️, 1️⃣; a doubled one, as pasted emoji sometimes carry, changes nothing), a glyph
// variant after an ideograph (葛󠄀). Anywhere else it shows nothing and can carry hidden bytes, one
// after each letter; being a mark, not a format character, FORMAT would let it through.
const EMOJI_STYLE = /(?<=\p{Emoji}\p{Emoji_Modifier}?)(?:\uFE0F+|\uFE0E+)/gu;
const IDEOGRAPH_VARIANT = /(?<=\p{Ideographic})[\uFE00-\uFE0D\u{E0100}-\u{E01EF}]/gu;
const SELECTOR = /[\uFE00-\uFE0F\u{E0100}-\u{E01EF}]/u;
const VISIBLE = /[^\p{Z}\p{C}\p{M}\p{Default_Ignorable_Code_Point}\u2800]/u;

/** True when `text` holds no control character (but line breaks when `multiline`) and no stray format character. */
export function isCleanText(text: string, multiline = false): boolean {
  if ((multiline ? CONTROL_MULTILINE : CONTROL_ONE_LINE).test(text)) return false;
  if (SELECTOR.test(text.replace(EMOJI_STYLE, '').replace(IDEOGRAPH_VARIANT, ''))) return false;
  return !FORMAT.test(text.replace(JOINER, '').replace(EMOJI_TAG, ''));
}

/** True when `text` shows at least one character (not only spaces, marks, fillers or invisible characters). */
export function hasVisibleText(text: string): boolean {
  return VISIBLE.test(text);
}

/** A trimmed text field of `min`–`max` characters that a person can read; `what` names it in messages. */
function readableText(what: string, limits: { min: number; max: number; multiline?: boolean }) {
  const schema = z.string().trim();
  return (limits.min > 0 ? schema.min(limits.min, `${what} needs at least one character`) : schema)
    .max(limits.max, `${what} has at most ${limits.max} characters`)
    .refine(
      (text) => isCleanText(text, limits.multiline === true),
      `${what} cannot hold control characters or invisible formatting characters (zero-width or direction marks)`,
    )
    .refine((text) => text === '' || hasVisibleText(text), `${what} needs at least one visible character`);
}

export const Name = readableText('a name', { min: 1, max: 40 });
export const Topic = readableText('a topic', { min: 0, max: 140 });
export const CoachText = readableText('a coach line', { min: 1, max: 280, multiline: true });
export const NoteText = readableText('a note', { min: 1, max: 2000, multiline: true });
/** Break lengths in whole minutes; 1440 minutes is the 24 h cap of every break. */
export const BREAK_CAP_MINUTES = 1440;
export const BreakMinutes = z.number().int().min(5).max(120);
/**
 * A break's `minutes` are whole numbers of at least one: that is their shape. Their other
 * bounds (the room's minimum, the 24 h cap) are room rules, answered `invalid` last in the
 * precedence order.
 */
export const Minutes = z.number().int('minutes are whole numbers').min(1, 'minutes are at least 1');
export const EpochMs = z.number().int().nonnegative();

// ---------------------------------------------------------------------------
// HTTP bodies (section 2)

export const CreateRoomBody = z.strictObject({
  name: Name,
  as: z.enum(['partner', 'moderator']).optional(),
  topic: Topic.optional(),
  method: Method.optional(),
  breakMinutes: BreakMinutes.optional(),
  firstSpeaker: Partner.optional(),
});
export type CreateRoomBody = z.infer<typeof CreateRoomBody>;

export const CreateRoomResponse = z.strictObject({
  roomId: z.string(),
  seat: SeatId,
  seatKey: z.string(),
  // A partner's room has no moderator seat, so no moderator invite: only a moderator opens a moderated room.
  invites: z.strictObject({ A: z.string().optional(), B: z.string().optional() }),
});
export type CreateRoomResponse = z.infer<typeof CreateRoomResponse>;

export const JoinRoomBody = z.strictObject({ invite: Secret, name: Name });
export type JoinRoomBody = z.infer<typeof JoinRoomBody>;

export const JoinRoomResponse = z.strictObject({ seat: SeatId, seatKey: z.string() });
export type JoinRoomResponse = z.infer<typeof JoinRoomResponse>;

/** `POST /api/rooms/:roomId/invite`: what an invite opens, before a name is asked (docs/protocol.md section 10). */
export const InvitePreviewBody = z.strictObject({ invite: Secret });
export type InvitePreviewBody = z.infer<typeof InvitePreviewBody>;

export const InvitePreviewResponse = z.strictObject({
  /** The seat the invite opens. */
  seat: SeatId,
  /** `used` once that seat was claimed: the invite opens nothing any more. */
  status: z.enum(['open', 'used']),
  /** Who opened the room: partner A, or the moderator of a moderated room. */
  inviter: z.strictObject({ name: z.string(), role: z.enum(['partner', 'moderator']) }),
  /** In a moderator's room, the other partner's name once they joined; otherwise null. */
  partnerName: z.string().nullable(),
  phase: Phase,
});
export type InvitePreviewResponse = z.infer<typeof InvitePreviewResponse>;

export const RoomIdParam = z.strictObject({ roomId: Secret });

export const ErrorBody = z.strictObject({ error: z.strictObject({ code: z.string(), message: z.string() }) });
export type ErrorBody = z.infer<typeof ErrorBody>;

export const RepairCatalogResponse = z.array(z.strictObject({ id: RepairPhraseId, group: RepairGroupId }));

// ---------------------------------------------------------------------------
// Commands (sections 3 and 4)

const commandBase = {
  id: z.string().min(8, 'a command id has at least 8 characters').max(64, 'a command id has at most 64 characters'),
  rev: z.number().int().nonnegative().optional(),
};

// An ISO 8601 date-time in the extended format: seconds and fractions optional, then `Z`
// or an offset written `+hh:mm`, `+hhmm` or `+hh`.
const ISO_DATE_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}(?::?\d{2})?)$/i;

/**
 * The epoch milliseconds of an ISO 8601 date-time with `Z` or an offset; NaN for anything
 * else, a day or a time the calendar does not have included (31 November, 24:00, an offset
 * of +05:60), which `Date.parse` would roll over into the next day or hour.
 */
export function isoToEpochMs(text: string): number {
  const match = ISO_DATE_TIME.exec(text);
  if (match === null) return Number.NaN;
  const local = match[1]!.toUpperCase().replace(/(\.\d{3})\d+$/, '$1');
  // The fields as written come back unchanged from a UTC round trip only when they exist.
  const asUtc = Date.parse(`${local}Z`);
  const fields = Math.min(local.length, 'yyyy-mm-ddThh:mm:ss'.length);
  if (!Number.isFinite(asUtc) || new Date(asUtc).toISOString().slice(0, fields) !== local.slice(0, fields)) return Number.NaN;
  const zone = match[2]!.toUpperCase();
  if (zone === 'Z') return asUtc;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2) || '0');
  if (hours > 23 || minutes > 59) return Number.NaN;
  const offsetMs = (hours * 60 + minutes) * 60_000;
  return zone[0] === '+' ? asUtc - offsetMs : asUtc + offsetMs;
}

/** An ISO 8601 date-time with `Z` or an offset, carried as text on the wire. */
export const IsoDateTime = z
  .string()
  .max(40)
  .refine((text) => Number.isFinite(isoToEpochMs(text)), 'must be an ISO 8601 date-time with Z or an offset');

export const CheckInCommand = z.strictObject({
  ...commandBase,
  type: z.literal('checkIn'),
  calm: z.number().int().min(1).max(10),
  tendency: Tendency,
  safe: z.boolean(),
});
export const AdvanceCommand = z.strictObject({
  ...commandBase,
  type: z.literal('advance'),
  // `check` is ended only by the `check` command.
  step: Step.exclude(['check']),
});
export const CheckCommand = z.strictObject({ ...commandBase, type: z.literal('check'), result: CheckResult });
export const FloodCommand = z.strictObject({ ...commandBase, type: z.literal('flood'), minutes: Minutes.optional() });
export const ExtendBreakCommand = z.strictObject({ ...commandBase, type: z.literal('extendBreak'), minutes: Minutes });
export const ReadyCommand = z.strictObject({ ...commandBase, type: z.literal('ready') });
export const RepairCommand = z.strictObject({ ...commandBase, type: z.literal('repair'), phrase: RepairPhraseId });
export const ProposeTimeCommand = z.strictObject({ ...commandBase, type: z.literal('proposeTime'), at: IsoDateTime });
export const AcceptTimeCommand = z.strictObject({ ...commandBase, type: z.literal('acceptTime') });
export const WrapUpCommand = z.strictObject({ ...commandBase, type: z.literal('wrapUp') });
export const EndCommand = z.strictObject({ ...commandBase, type: z.literal('end') });
export const PauseCommand = z.strictObject({ ...commandBase, type: z.literal('pause') });
export const ResumeCommand = z.strictObject({ ...commandBase, type: z.literal('resume') });
export const SetFloorCommand = z.strictObject({ ...commandBase, type: z.literal('setFloor'), speaker: Partner });
export const SetStepCommand = z.strictObject({ ...commandBase, type: z.literal('setStep'), step: Step });
export const EndBreakCommand = z.strictObject({ ...commandBase, type: z.literal('endBreak') });
export const CoachCommand = z.strictObject({
  ...commandBase,
  type: z.literal('coach'),
  to: z.enum(['A', 'B', 'both']),
  text: CoachText,
});
export const NoteCommand = z.strictObject({ ...commandBase, type: z.literal('note'), text: NoteText });

export const Command = z.discriminatedUnion('type', [
  CheckInCommand,
  AdvanceCommand,
  CheckCommand,
  FloodCommand,
  ExtendBreakCommand,
  ReadyCommand,
  RepairCommand,
  ProposeTimeCommand,
  AcceptTimeCommand,
  WrapUpCommand,
  EndCommand,
  PauseCommand,
  ResumeCommand,
  SetFloorCommand,
  SetStepCommand,
  EndBreakCommand,
  CoachCommand,
  NoteCommand,
]);
export type Command = z.infer<typeof Command>;
export type CommandType = Command['type'];
export type CommandOf<T extends CommandType> = Extract<Command, { type: T }>;

export { COMMAND_TYPES };

// The zod-free list in command-types.ts must name exactly the commands above.
type Same<X, Y> = [X] extends [Y] ? ([Y] extends [X] ? true : false) : false;
const commandTypesAgree: Same<(typeof COMMAND_TYPES)[number], CommandType> = true;
void commandTypesAgree;

/** What a client sends: a command without `id`/`rev` filled in is not yet sendable. */
export type CommandInput = { [T in CommandType]: Omit<CommandOf<T>, 'id' | 'rev'> }[CommandType];

export const CommandAck = z.union([
  z.strictObject({ ok: z.literal(true), rev: z.number().int() }),
  z.strictObject({ ok: z.literal(false), error: z.strictObject({ code: z.string(), message: z.string() }) }),
]);
export type CommandAck = z.infer<typeof CommandAck>;

export const TimeAck = z.strictObject({ now: z.number() });
export type TimeAck = z.infer<typeof TimeAck>;

// ---------------------------------------------------------------------------
// Pieces shared by the stored room and the view (section 5)

export const CheckInAnswer = z.strictObject({ calm: z.number().int().min(1).max(10), tendency: Tendency, safe: z.boolean() });
export type CheckInAnswer = z.infer<typeof CheckInAnswer>;

export const BreakState = z.strictObject({
  by: Partner,
  startedAt: EpochMs,
  minUntil: EpochMs,
  returnAt: EpochMs,
  due: z.boolean(),
  ready: z.strictObject({ A: z.boolean(), B: z.boolean() }),
});
export type BreakState = z.infer<typeof BreakState>;

export const Appointment = z.strictObject({ at: EpochMs, by: Partner, accepted: z.boolean() });
export type Appointment = z.infer<typeof Appointment>;

export const RepairEntry = z.strictObject({ at: EpochMs, by: Partner, phrase: RepairPhraseId });
export type RepairEntry = z.infer<typeof RepairEntry>;

export const TimelineKind = z.enum([
  'created',
  'joined',
  'checkedIn',
  'dialogueStarted',
  'step',
  'floorPassed',
  'flood',
  'breakExtended',
  'ready',
  'breakDue',
  'breakEnded',
  'paused',
  'resumed',
  'setFloor',
  'setStep',
  'repair',
  'timeProposed',
  'timeAccepted',
  'wrapUp',
  'ended',
]);
export type TimelineKind = z.infer<typeof TimelineKind>;

/** A content-free protocol event: who did which protocol move, never what was said. */
export const TimelineEvent = z.strictObject({
  at: EpochMs,
  kind: TimelineKind,
  by: SeatId.optional(),
  seat: SeatId.optional(),
  step: Step.optional(),
  result: CheckResult.optional(),
  speaker: Partner.optional(),
  turn: z.number().int().optional(),
  phrase: RepairPhraseId.optional(),
  returnAt: EpochMs.optional(),
  when: EpochMs.optional(),
});
export type TimelineEvent = z.infer<typeof TimelineEvent>;

// ---------------------------------------------------------------------------
// The state view (section 5)

export const SeatView = z.strictObject({
  name: z.string().nullable(),
  joined: z.boolean(),
  online: z.boolean(),
  checkedIn: z.boolean(),
});
export type SeatView = z.infer<typeof SeatView>;

export const FloorView = z.strictObject({
  speaker: Partner,
  listener: Partner,
  step: Step,
  turn: z.number().int().min(1),
  clarifying: z.boolean(),
  stepSince: EpochMs,
});
export type FloorView = z.infer<typeof FloorView>;

export const CoachLineView = z.strictObject({ at: EpochMs, text: z.string(), to: z.enum(['A', 'B', 'both']).optional() });
export type CoachLineView = z.infer<typeof CoachLineView>;
export const NoteView = z.strictObject({ at: EpochMs, text: z.string() });
export type NoteView = z.infer<typeof NoteView>;

export const StateView = z.strictObject({
  roomId: z.string(),
  rev: z.number().int().nonnegative(),
  serverNow: EpochMs,
  you: SeatId,
  topic: z.string(),
  method: Method,
  // `minuteMs`: this room's protocol minute in ms (60 000 / DUOLOGUE_TIME_SCALE), docs/protocol.md section 10.
  settings: z.strictObject({ breakMinutes: z.number().int(), minuteMs: z.number().positive() }),
  phase: Phase,
  seats: z.strictObject({ A: SeatView, B: SeatView, moderator: SeatView.nullable() }),
  checkin: z.union([
    CheckInAnswer,
    z.strictObject({ A: CheckInAnswer.nullable(), B: CheckInAnswer.nullable() }),
    z.null(),
  ]),
  floor: FloorView.nullable(),
  break: BreakState.nullable(),
  paused: z.boolean(),
  appointment: Appointment.nullable(),
  repairs: z.array(RepairEntry),
  coach: z.array(CoachLineView),
  notes: z.array(NoteView),
  timeline: z.array(TimelineEvent),
});
export type StateView = z.infer<typeof StateView>;

// ---------------------------------------------------------------------------
// Summary (section 7)

export const PartnerSummary = z.strictObject({
  floorMs: z.number().int().nonnegative(),
  turns: z.number().int().nonnegative(),
  missedMirrors: z.number().int().nonnegative(),
  /** The last breaks they called, at most 200 (PROTOCOL.md section 7 keeps it a list). */
  breaks: z.array(z.strictObject({ startedAt: EpochMs, endedAt: EpochMs.nullable() })),
  /** How many breaks they called in all: `breaks.length` until the list is cut (docs/protocol.md section 9). */
  breakCount: z.number().int().nonnegative(),
  repairs: z.number().int().nonnegative(),
});
export type PartnerSummary = z.infer<typeof PartnerSummary>;

export const Summary = z.strictObject({
  roomId: z.string(),
  method: Method,
  createdAt: EpochMs,
  dialogueStartedAt: EpochMs.nullable(),
  endedAt: EpochMs.nullable(),
  appointment: Appointment.nullable(),
  partners: z.strictObject({ A: PartnerSummary, B: PartnerSummary }),
});
export type Summary = z.infer<typeof Summary>;
