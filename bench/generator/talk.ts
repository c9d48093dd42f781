import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { actorOf, otherPartner, stepsFor, type CommandAck, type Partner, type StateView, type Step } from '../../protocol';
import type { Side } from '../servers';
import type { Recorder } from './recorder';

/** What decides the next command of a room: its revision, who speaks, and the step. */
export interface Floor {
  rev: number;
  speaker: Partner;
  step: Step;
}

/** The floor command that ends `step`, from that step's actor (PROTOCOL.md section 4). */
export function commandFor(step: Step): { type: 'advance'; step: Step } | { type: 'check'; result: 'complete' } {
  return step === 'check' ? { type: 'check', result: 'complete' } : { type: 'advance', step };
}

const IMAGO = stepsFor('imago');

/** The floor after its step's command is accepted: the next imago step, roles swapped after `heard`. */
export function nextFloor(floor: Floor): Floor {
  if (floor.step === 'heard') return { rev: floor.rev + 1, speaker: otherPartner(floor.speaker), step: 'share' };
  return { rev: floor.rev + 1, speaker: floor.speaker, step: IMAGO[IMAGO.indexOf(floor.step) + 1]! };
}

interface Pending {
  id: string;
  from: Partner;
  newRev: number;
  sentAt: number;
  ackAt?: number;
  partnerAt?: number;
  recorder: Recorder;
}

/** Opens a socket the way the phone does, but without reconnecting: a dropped socket must show. */
export function openSocket(url: string, auth: Record<string, string>): Socket {
  return io(url, { auth, transports: ['websocket'], reconnection: false, forceNew: true, autoConnect: false, timeout: 60_000 });
}

/**
 * One room under load: the two partners' sockets (and the moderator's, if any), the state
 * each received, and the one command in flight. Against Duologue the next command comes
 * from the state the actor's socket holds, with its `rev`; the partner's `state` carrying
 * the new `rev` completes it. Against the relay (and the durable relay), which keep no
 * state, the generator steps the same floor itself and the partner's copy of the relayed command
 * completes it.
 */
export class Talk {
  /** The latest `state` each seat's socket received (Duologue only). */
  readonly latest: Partial<Record<Partner | 'moderator', StateView>> = {};
  /** Sockets that closed while the bench still needed them. */
  disconnects = 0;
  /** Why they closed (Socket.IO's reason: `ping timeout`, `transport close`, …), and when (performance.now()). */
  readonly dropped: Array<{ reason: string; at: number }> = [];
  private pending: Pending | null = null;
  private relayFloor: Floor = { rev: 0, speaker: 'A', step: 'share' };
  private closing = false;

  constructor(
    readonly side: Side,
    readonly roomId: string,
    readonly sockets: Record<Partner, Socket> & { moderator?: Socket },
  ) {
    for (const seat of ['A', 'B', 'moderator'] as const) {
      const socket = sockets[seat];
      if (socket === undefined) continue;
      socket.on('disconnect', (reason: string) => {
        if (this.closing) return;
        this.disconnects += 1;
        this.dropped.push({ reason, at: performance.now() });
      });
      if (side === 'duologue') socket.on('state', (view: StateView) => this.onState(seat, view));
      else if (seat !== 'moderator') socket.on('command', (payload: { id?: unknown }) => this.onRelayed(seat, payload));
    }
  }

  /** The floor the next command acts on. */
  floor(): Floor | null {
    if (this.side !== 'duologue') return this.relayFloor;
    const a = this.latest.A;
    const b = this.latest.B;
    const view = a !== undefined && b !== undefined && b.rev > a.rev ? b : (a ?? b);
    if (view?.floor == null) return null;
    return { rev: view.rev, speaker: view.floor.speaker, step: view.floor.step };
  }

  /**
   * Sends the step's command from the step's actor, with the `rev` that socket last saw;
   * skips (and counts it) while the previous command is unanswered.
   */
  sendNext(recorder: Recorder): void {
    recorder.offered += 1;
    if (this.pending !== null) {
      recorder.skipped += 1;
      return;
    }
    const floor = this.floor();
    if (floor === null) throw new Error(`room ${this.roomId} is not in the dialogue`);
    const from = actorOf(floor);
    // The actor's own socket tells which rev it acts on (Duologue); the relay's floor is the generator's.
    const rev = this.side === 'duologue' ? (this.latest[from]?.rev ?? floor.rev) : floor.rev;
    const pending: Pending = { id: randomUUID(), from, newRev: rev + 1, sentAt: performance.now(), recorder };
    this.pending = pending;
    recorder.noteSent(pending.sentAt);
    this.sockets[from].emit('command', { id: pending.id, ...commandFor(floor.step), rev }, (ack: CommandAck) => this.onAck(pending, ack));
  }

  /** Gives up on the command in flight, if it belongs to `recorder`: it counts as lost. */
  abandon(recorder: Recorder): void {
    if (this.pending?.recorder !== recorder) return;
    this.pending = null;
    recorder.noteLost();
  }

  /** Connects every socket of the room; resolves once all are connected. */
  connect(): Promise<void> {
    const sockets = Object.values(this.sockets);
    return Promise.all(
      sockets.map(
        (socket) =>
          new Promise<void>((resolve, reject) => {
            socket.once('connect', () => resolve());
            socket.once('connect_error', (error: Error) => reject(new Error(`connect failed: ${error.message}`)));
            socket.connect();
          }),
      ),
    ).then(() => undefined);
  }

  /** Resolves once every socket of this room holds a state satisfying `predicate` (Duologue). */
  whenState(predicate: (view: StateView) => boolean): Promise<void> {
    const seats = (['A', 'B', 'moderator'] as const).filter((seat) => this.sockets[seat] !== undefined);
    return Promise.all(
      seats.map((seat) => {
        const held = this.latest[seat];
        if (held !== undefined && predicate(held)) return undefined;
        return new Promise<void>((resolve) => {
          const listener = (view: StateView) => {
            if (!predicate(view)) return;
            this.sockets[seat]!.off('state', listener);
            resolve();
          };
          this.sockets[seat]!.on('state', listener);
        });
      }),
    ).then(() => undefined);
  }

  close(): void {
    this.closing = true;
    for (const socket of Object.values(this.sockets)) socket.disconnect();
  }

  private onAck(pending: Pending, ack: CommandAck): void {
    if (this.pending !== pending) return;
    if (!ack.ok) {
      this.pending = null;
      pending.recorder.noteRejected(ack.error.code);
      return;
    }
    if (this.side === 'duologue' && ack.rev !== pending.newRev) pending.recorder.mismatched += 1;
    pending.ackAt = performance.now();
    this.settleIfDone(pending);
  }

  private onState(seat: Partner | 'moderator', view: StateView): void {
    this.latest[seat] = view;
    const pending = this.pending;
    if (pending === null || seat === 'moderator' || seat === pending.from || pending.partnerAt !== undefined) return;
    if (view.rev < pending.newRev) return; // a presence update, or an older change
    if (view.rev > pending.newRev) pending.recorder.mismatched += 1;
    pending.partnerAt = performance.now();
    this.settleIfDone(pending);
  }

  private onRelayed(seat: Partner, payload: { id?: unknown }): void {
    const pending = this.pending;
    if (pending === null || seat === pending.from || payload.id !== pending.id) return;
    pending.partnerAt = performance.now();
    this.settleIfDone(pending);
  }

  private settleIfDone(pending: Pending): void {
    if (pending.ackAt === undefined || pending.partnerAt === undefined) return;
    this.pending = null;
    if (this.side !== 'duologue') this.relayFloor = nextFloor(this.relayFloor);
    pending.recorder.noteDone(pending.ackAt - pending.sentAt, pending.partnerAt - pending.sentAt, Math.max(pending.ackAt, pending.partnerAt));
  }
}
