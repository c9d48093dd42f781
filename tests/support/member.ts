import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import type {
  ClientToServerEvents,
  CommandAck,
  CommandInput,
  ServerToClientEvents,
  StateView,
} from '../../protocol';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

// How long an ack or an awaited state may take. Test files run two at a time on two cores, a
// browser test's Chromium and servers beside them: a passing wait returns as soon as it may.
const WAIT_MS = 15_000;

/**
 * One connected device of a seat: a real socket.io-client socket that keeps every
 * `state` it was sent and lets a test wait for the one it expects.
 */
export class Member {
  readonly states: StateView[] = [];
  deletedCount = 0;
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: ClientSocket) {
    socket.on('state', (view) => {
      this.states.push(view);
      this.wake();
    });
    socket.on('deleted', () => {
      this.deletedCount += 1;
      this.wake();
    });
    socket.on('disconnect', () => this.wake());
  }

  /** Connects and resolves once the first `state` arrived. */
  static async connect(url: string, roomId: string, seatKey: string): Promise<Member> {
    const socket: ClientSocket = io(url, { auth: { roomId, seatKey }, transports: ['websocket'], reconnection: false, forceNew: true });
    const member = new Member(socket);
    await member.waitFor(() => true, 'a first state');
    return member;
  }

  /** The latest state received. */
  get state(): StateView {
    const last = this.states.at(-1);
    if (last === undefined) throw new Error('no state received yet');
    return last;
  }

  /** Resolves with the latest state once it satisfies `predicate` (at once if it already does). */
  waitFor(predicate: (state: StateView) => boolean, what = 'a matching state'): Promise<StateView> {
    return this.until(() => {
      const last = this.states.at(-1);
      return last !== undefined && predicate(last) ? last : undefined;
    }, what);
  }

  /** Resolves once `check` returns a value, re-checking on every event. */
  until<T>(check: () => T | undefined, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== attempt);
        reject(new Error(`timed out waiting for ${what}; last state: ${JSON.stringify(this.states.at(-1) ?? null).slice(0, 600)}`));
      }, WAIT_MS);
      const attempt = (): void => {
        const value = check();
        if (value === undefined) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== attempt);
        resolve(value);
      };
      this.waiters.push(attempt);
      attempt();
    });
  }

  /** Sends a command with a fresh id (or the given one) and resolves with its ack. */
  send(command: CommandInput & { rev?: number }, id: string = randomUUID()): Promise<CommandAck> {
    return this.socket.timeout(WAIT_MS).emitWithAck('command', { ...command, id } as never);
  }

  /** Sends a command and fails unless it is accepted; resolves with the new rev. */
  async ok(command: CommandInput & { rev?: number }): Promise<number> {
    const ack = await this.send(command);
    if (!ack.ok) throw new Error(`${command.type} was refused: ${ack.error.code} (${ack.error.message})`);
    return ack.rev;
  }

  /** Sends anything at all as a command payload, for the bad-input tests. */
  sendRaw(payload: unknown): Promise<CommandAck> {
    return this.socket.timeout(WAIT_MS).emitWithAck('command', payload as never);
  }

  /** Emits `command` with exactly these arguments (no ack callback unless one is among them). */
  emitRaw(...args: unknown[]): void {
    (this.socket as unknown as { emit(event: string, ...rest: unknown[]): void }).emit('command', ...args);
  }

  close(): void {
    this.socket.disconnect();
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

/** Resolves with the `connect_error` message of a handshake that must fail. */
export function connectError(url: string, auth: unknown): Promise<string> {
  const socket: ClientSocket = io(url, { auth: auth as Record<string, unknown>, transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise<string>((resolve, reject) => {
    socket.on('connect', () => {
      socket.disconnect();
      reject(new Error('the handshake succeeded'));
    });
    socket.on('connect_error', (error) => {
      socket.disconnect();
      resolve(error.message);
    });
  });
}
