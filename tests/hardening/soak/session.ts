import type { CommandInput, Method, StateView, TimelineEvent } from '../../../protocol';
import { NEXT_AFTER_ADVANCE } from '../../../protocol/machine/steps';
import type { AckRecord, Member } from '../support/wire';

/** What a room's scripted partners do, and what they must find at the end. */
export interface SessionPlan {
  method: Method;
  moderated: boolean;
  /** B first answers the check-in feeling unsafe, then changes the answer. */
  hesitantCheckIn: boolean;
  coachLine: string;
  note: string;
}

export interface SessionMembers {
  A: Member;
  B: Member;
  moderator: Member | null;
}

/** Chooses, before each command, whether a phone loses its connection (and when). */
export type Chaos = (members: Member[], sender: Member) => void;

/** An acknowledgement that came back `ok: false` where the script expected acceptance. */
export class UnexpectedRejection extends Error {}

/**
 * Drives one room through a whole session: check-in, a first turn with a missed mirror,
 * a second turn interrupted by a flooded break that runs out on the server's timer, a
 * repair, wrap-up, an agreed appointment and the end. Each command is sent until acked.
 */
export async function runSession(members: SessionMembers, plan: SessionPlan, chaos: Chaos, now: () => number): Promise<void> {
  const everyone = [members.A, members.B, ...(members.moderator === null ? [] : [members.moderator])];
  const send = async (member: Member, command: CommandInput): Promise<void> => {
    chaos(everyone, member);
    const ack = await member.send(command);
    if (!ack.ok) {
      throw new UnexpectedRejection(`${member.seat} ${command.type} in ${member.roomId}: ${ack.error.code} (${ack.error.message})`);
    }
  };
  const { A, B } = members;
  const imago = plan.method === 'imago';

  await send(A, { type: 'checkIn', calm: 4, tendency: 'pursue', safe: true });
  if (plan.hesitantCheckIn) await send(B, { type: 'checkIn', calm: 2, tendency: 'withdraw', safe: false });
  await send(B, { type: 'checkIn', calm: 6, tendency: 'withdraw', safe: true });

  const moderator = members.moderator;
  if (moderator !== null) {
    await send(moderator, { type: 'coach', to: 'A', text: plan.coachLine });
    await send(moderator, { type: 'note', text: plan.note });
  }

  // Turn 1: A speaks; the first mirror is missed.
  await send(A, { type: 'advance', step: 'share' });
  await send(B, { type: 'advance', step: 'mirror' });
  await send(A, { type: 'check', result: 'missed' });
  if (moderator !== null) {
    await send(moderator, { type: 'pause' });
    await send(moderator, { type: 'resume' });
  }
  await send(A, { type: 'advance', step: 'share' });
  await send(B, { type: 'advance', step: 'mirror' });
  await send(A, { type: 'check', result: 'complete' });
  if (imago) {
    await send(B, { type: 'advance', step: 'summary' });
    await send(B, { type: 'advance', step: 'validate' });
    await send(B, { type: 'advance', step: 'empathize' });
  }
  await send(A, { type: 'advance', step: 'heard' });

  // Turn 2: B speaks; A floods; the break runs out on the server's own timer.
  await send(B, { type: 'advance', step: 'share' });
  await send(A, { type: 'flood' });
  await send(B, { type: 'ready' });
  await A.waitFor((m) => m.state?.break?.due === true, 'the break to become due', 60_000);
  await send(A, { type: 'ready' });
  await send(A, { type: 'repair', phrase: 'sorry.too-harsh' });
  await send(A, { type: 'advance', step: 'mirror' });
  await send(B, { type: 'check', result: 'more' });
  await send(B, { type: 'advance', step: 'share' });
  await send(A, { type: 'advance', step: 'mirror' });
  await send(B, { type: 'check', result: 'complete' });
  if (imago) {
    await send(A, { type: 'advance', step: 'summary' });
    await send(A, { type: 'advance', step: 'validate' });
    await send(A, { type: 'advance', step: 'empathize' });
  }
  await send(B, { type: 'advance', step: 'heard' });

  await send(A, { type: 'wrapUp' });
  await send(B, { type: 'proposeTime', at: new Date(now() + 24 * 60 * 60 * 1000).toISOString() });
  await send(A, { type: 'acceptTime' });
  await send(B, { type: 'end' });
}

/** How many commands `runSession` sends for a plan (each acked once). */
export function commandsIn(plan: SessionPlan): number {
  return 24 + (plan.hesitantCheckIn ? 1 : 0) + (plan.moderated ? 4 : 0) + (plan.method === 'imago' ? 6 : 0);
}

/** Timeline kinds that only a command makes (the others come from joins and the clock). */
const COMMAND_KINDS: ReadonlySet<TimelineEvent['kind']> = new Set([
  'checkedIn',
  'step',
  'floorPassed',
  'flood',
  'ready',
  'repair',
  'timeProposed',
  'timeAccepted',
  'wrapUp',
  'ended',
  'paused',
  'resumed',
]);

type Trace = Pick<TimelineEvent, 'kind' | 'by' | 'step' | 'result' | 'phrase'>;

/** The timeline entry an accepted command leaves, or null for a command that leaves none. */
function traceOf(record: AckRecord): Trace | null {
  const { command, seat: by } = record;
  switch (command.type) {
    case 'checkIn':
      // Only the answer that makes the check-in "done" shows; the private ones leave no entry.
      return command.safe ? { kind: 'checkedIn', by } : null;
    case 'advance':
      return command.step === 'heard'
        ? { kind: 'floorPassed', by }
        : { kind: 'step', by, step: NEXT_AFTER_ADVANCE[command.step] };
    case 'check':
      return { kind: 'step', by, result: command.result };
    case 'flood':
      return { kind: 'flood', by };
    case 'ready':
      return { kind: 'ready', by };
    case 'repair':
      return { kind: 'repair', by, phrase: command.phrase };
    case 'proposeTime':
      return { kind: 'timeProposed', by };
    case 'acceptTime':
      return { kind: 'timeAccepted', by };
    case 'wrapUp':
      return { kind: 'wrapUp', by };
    case 'end':
      return { kind: 'ended', by };
    case 'pause':
      return { kind: 'paused', by };
    case 'resume':
      return { kind: 'resumed', by };
    default:
      return null;
  }
}

function describe(trace: Trace): string {
  return [trace.kind, trace.by, trace.step, trace.result, trace.phrase].filter((p) => p !== undefined).join(' ');
}

/**
 * Compares the acks a room's clients logged with the state the server holds now:
 * every accepted command is there exactly once, in the order it was acknowledged,
 * and nothing a command makes is there without an ack. Coach lines and notes are
 * looked up in the moderator's view.
 */
export function ackProblems(
  acks: AckRecord[],
  final: StateView,
  moderatorView: StateView | null,
  /** Commands that may have been applied without their ack arriving (sent when the server died). */
  unacked = 0,
): string[] {
  const problems: string[] = [];
  const accepted = acks.filter((a) => a.ack.ok).sort((a, b) => a.order - b.order);
  const expected = accepted.map(traceOf).filter((t): t is Trace => t !== null).map(describe);
  const found = final.timeline
    .filter((e) => COMMAND_KINDS.has(e.kind))
    .map((e) => describe({ kind: e.kind, by: e.by, step: e.kind === 'step' && e.result === undefined ? e.step : undefined, result: e.result, phrase: e.phrase }));
  if (final.timeline.length >= 50) problems.push(`${final.roomId}: the timeline is too long to check in a view`);
  const held = found.slice(0, expected.length);
  if (JSON.stringify(expected) !== JSON.stringify(held) || found.length > expected.length + unacked) {
    problems.push(`${final.roomId}: acknowledged ${JSON.stringify(expected)} but the room holds ${JSON.stringify(found)}`);
  }
  const maxRev = Math.max(0, ...accepted.map((a) => (a.ack.ok ? a.ack.rev : 0)));
  if (final.rev < maxRev) problems.push(`${final.roomId}: rev ${final.rev} is below an acknowledged rev ${maxRev}`);
  for (const record of accepted) {
    const { command } = record;
    if (command.type !== 'coach' && command.type !== 'note') continue;
    const list = command.type === 'coach' ? moderatorView?.coach : moderatorView?.notes;
    const copies = (list ?? []).filter((line) => line.text === command.text).length;
    if (copies !== 1) problems.push(`${final.roomId}: an acknowledged ${command.type} is held ${copies} times`);
  }
  return problems;
}
