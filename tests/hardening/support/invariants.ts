import {
  BREAK_CAP_MINUTES,
  Room,
  STORED_LIST_LIMIT,
  StateView,
  VIEW_LIST_LIMIT,
  checkedIn,
  stepsFor,
  type Partner,
} from '../../../protocol';

/**
 * The machine's invariants, checked on a stored room. Each broken rule comes back as
 * a sentence, so a failing soak or fuzz run says which room broke which rule.
 */
export function roomProblems(input: unknown): string[] {
  const parsed = Room.safeParse(input);
  if (!parsed.success) return [`not a valid stored room: ${parsed.error.issues[0]?.message ?? 'unknown'}`];
  const room = parsed.data;
  const problems: string[] = [];
  const fail = (rule: string): void => {
    problems.push(`room ${room.id}: ${rule}`);
  };

  if (room.phase === 'dialogue' && room.floor === null) fail('dialogue without a floor');
  if (room.phase !== 'dialogue' && room.floor !== null) fail(`a floor outside dialogue (phase ${room.phase})`);
  if (room.floor !== null && !stepsFor(room.method).includes(room.floor.step)) {
    fail(`step ${room.floor.step} is not part of ${room.method}`);
  }
  const bothJoined = room.seats.A.joined && room.seats.B.joined;
  if (room.phase === 'lobby' && bothJoined) fail('still in lobby with both partners joined');
  // Only the moderator's `end` can leave the lobby before both partners are in.
  if (room.phase !== 'lobby' && room.phase !== 'ended' && !bothJoined) fail(`phase ${room.phase} before both partners joined`);
  for (const seat of ['A', 'B'] as const) {
    const record = room.seats[seat];
    if (record.joined !== (record.name !== null)) fail(`seat ${seat}: joined and name disagree`);
  }
  if (room.phase === 'dialogue' && !(checkedIn(room, 'A') && checkedIn(room, 'B'))) {
    fail('dialogue without both partners checked in feeling safe');
  }
  if (room.phase === 'dialogue' && room.stats.dialogueStartedAt === null) fail('dialogue without dialogueStartedAt');
  if (room.phase === 'ended' && room.stats.endedAt === null) fail('ended without endedAt');
  if (room.phase === 'ended' && (room.break !== null || room.paused)) fail('a break or pause left over an ended room');
  if (room.paused && room.seats.moderator === null) fail('paused without a moderator seat');

  const brk = room.break;
  if (brk !== null) {
    if (room.phase === 'lobby') fail('a break in lobby');
    if (brk.minUntil < brk.startedAt || brk.returnAt < brk.minUntil) fail('break deadlines out of order');
    if (brk.returnAt > brk.startedAt + BREAK_CAP_MINUTES * room.minuteMs) fail('a break past the 24 h cap');
    const last = room.stats[brk.by].breaks.at(-1);
    if (last === undefined || last.endedAt !== null || last.startedAt !== brk.startedAt) {
      fail('the running break is not the open break of its caller');
    }
  }
  for (const p of ['A', 'B'] as Partner[]) {
    const open = room.stats[p].breaks.filter((b) => b.endedAt === null).length;
    const expected = brk !== null && brk.by === p ? 1 : 0;
    if (open !== expected) fail(`partner ${p} has ${open} open breaks, expected ${expected}`);
  }

  const sharing =
    room.phase === 'dialogue' && room.floor?.step === 'share' && room.break === null && !room.paused
      ? room.floor.speaker
      : null;
  if ((room.stats.shareClock?.speaker ?? null) !== sharing) fail('the share clock does not follow the speaker in share');

  for (const list of ['repairs', 'coach', 'notes', 'timeline'] as const) {
    if (room[list].length > STORED_LIST_LIMIT) fail(`${list} holds more than ${STORED_LIST_LIMIT} entries`);
  }
  for (let i = 1; i < room.timeline.length; i += 1) {
    if (room.timeline[i]!.at < room.timeline[i - 1]!.at) {
      fail('timeline out of time order');
      break;
    }
  }
  if (room.updatedAt < room.createdAt) fail('updatedAt before createdAt');
  return problems;
}

/** The same rules as seen through one seat's view, plus what a view may never carry. */
export function viewProblems(input: unknown): string[] {
  const parsed = StateView.safeParse(input);
  if (!parsed.success) return [`not a valid state view: ${parsed.error.issues[0]?.message ?? 'unknown'}`];
  const view = parsed.data;
  const problems: string[] = [];
  const fail = (rule: string): void => {
    problems.push(`view of ${view.you} in ${view.roomId}: ${rule}`);
  };
  if (view.phase === 'dialogue' && view.floor === null) fail('dialogue without a floor');
  if (view.phase !== 'dialogue' && view.floor !== null) fail('a floor outside dialogue');
  if (view.floor !== null && view.floor.speaker === view.floor.listener) fail('speaker and listener are the same partner');
  if (view.phase === 'ended' && (view.break !== null || view.paused)) fail('a break or pause over an ended room');
  for (const list of ['repairs', 'coach', 'notes', 'timeline'] as const) {
    if (view[list].length > VIEW_LIST_LIMIT) fail(`${list} carries more than ${VIEW_LIST_LIMIT} entries`);
  }
  if (view.you !== 'moderator') {
    if (view.notes.length > 0) fail('a partner view carries moderator notes');
    if (view.checkin !== null && 'A' in view.checkin) fail("a partner view carries both partners' check-ins");
    if (view.coach.some((line) => line.to !== undefined)) fail('a partner view carries coach recipients');
  }
  return problems;
}
