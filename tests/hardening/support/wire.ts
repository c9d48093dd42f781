import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import type {
  ClientToServerEvents,
  CommandAck,
  CommandInput,
  CreateRoomBody,
  CreateRoomResponse,
  JoinRoomResponse,
  SeatId,
  ServerToClientEvents,
  StateView,
} from '../../../protocol';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface HttpAnswer<T> {
  status: number;
  body: T;
  headers: Headers;
}

/** One JSON request; the body is parsed when there is one. */
export async function request<T = unknown>(
  base: string,
  method: string,
  path: string,
  options: { body?: unknown; key?: string; headers?: Record<string, string> } = {},
): Promise<HttpAnswer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`;
  const response = await fetch(`${base}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  let body: unknown = text;
  if (text !== '' && (response.headers.get('content-type') ?? '').includes('json')) body = JSON.parse(text);
  return { status: response.status, body: body as T, headers: response.headers };
}

export async function createRoom(base: string, body: CreateRoomBody): Promise<CreateRoomResponse> {
  const answer = await request<CreateRoomResponse>(base, 'POST', '/api/rooms', { body });
  if (answer.status !== 201) throw new Error(`create room answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

export async function joinRoom(base: string, roomId: string, invite: string, name: string): Promise<JoinRoomResponse> {
  const answer = await request<JoinRoomResponse>(base, 'POST', `/api/rooms/${roomId}/join`, { body: { invite, name } });
  if (answer.status !== 200) throw new Error(`join answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** The three seats of a moderated room: their keys, and the invites as the moderator got them. */
export interface ModeratedRoom {
  roomId: string;
  keys: { A: string; B: string; moderator: string };
  /** The partners' invites, spent by the joins. */
  invites: { A: string; B: string };
  /** Every secret the room handed out (the moderator's key, both invites, both partner keys). */
  secrets: string[];
}

/**
 * A moderated room as the contract allows one: the moderator opens it (`as: "moderator"`)
 * and both partners join with the invites it returned.
 */
export async function openModeratedRoom(
  base: string,
  names: { A: string; B: string; moderator: string },
  body: Omit<CreateRoomBody, 'name' | 'as'> = {},
): Promise<ModeratedRoom> {
  const created = await createRoom(base, { ...body, name: names.moderator, as: 'moderator' });
  const A = (await joinRoom(base, created.roomId, created.invites.A!, names.A)).seatKey;
  const B = (await joinRoom(base, created.roomId, created.invites.B!, names.B)).seatKey;
  return {
    roomId: created.roomId,
    keys: { A, B, moderator: created.seatKey },
    invites: { A: created.invites.A!, B: created.invites.B! },
    secrets: [created.seatKey, created.invites.A!, created.invites.B!, A, B],
  };
}

/** A fresh command id, as a client makes one per command. */
export function commandId(): string {
  return randomUUID();
}

/** One acknowledged command, as the client logged it. */
export interface AckRecord {
  roomId: string;
  seat: SeatId;
  id: string;
  command: CommandInput;
  ack: CommandAck;
  /** How many times it was sent before an answer came back. */
  attempts: number;
  /** The order in which acks arrived, across every member of this process. */
  order: number;
}

let ackOrder = 0;

export interface MemberOptions {
  /** How long to wait for one ack before sending the same command (same id) again. */
  ackTimeoutMs?: number;
  reconnectionDelayMax?: number;
  /** Gives up sending a command after this long in all. */
  giveUpMs?: number;
}

/**
 * One device holding one seat: a socket that reconnects by itself, the latest state it
 * received, and a log of every ack. `send` retries with the same id until it gets an answer,
 * which the protocol makes safe.
 */
export class Member {
  readonly socket: ClientSocket;
  state: StateView | null = null;
  readonly acks: AckRecord[] = [];
  readonly states: StateView[] = [];
  deleted = false;
  /** Handshake refusals seen (`unauthorized`, `room_not_found`, `rate_limited` ...). */
  readonly connectErrors: string[] = [];
  /** Commands re-sent after a lost ack. */
  retries = 0;
  private readonly waiters = new Set<{ check: () => void; fail: (error: Error) => void }>();
  private closed = false;

  constructor(
    readonly base: string,
    readonly roomId: string,
    readonly seat: SeatId,
    readonly seatKey: string,
    private readonly options: MemberOptions = {},
  ) {
    this.socket = io(base, {
      auth: { roomId, seatKey },
      transports: ['websocket'],
      reconnectionDelay: 20,
      reconnectionDelayMax: options.reconnectionDelayMax ?? 500,
      randomizationFactor: 0.5,
      forceNew: true,
    });
    this.socket.on('state', (view) => {
      this.state = view;
      this.states.push(view);
      if (this.states.length > 20) this.states.shift();
      this.notify();
    });
    this.socket.on('deleted', () => {
      this.deleted = true;
      this.notify();
    });
    this.socket.on('connect_error', (error) => {
      this.connectErrors.push(error.message);
      this.notify();
    });
    this.socket.on('connect', () => this.notify());
    this.socket.on('disconnect', (reason) => {
      // A phone whose connection the server closed tries again, as the client app does.
      if (reason === 'io server disconnect' && !this.deleted && !this.closed) this.socket.connect();
      this.notify();
    });
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter.check();
  }

  /** Resolves when `predicate` holds, re-checked on every socket event. */
  async waitFor(predicate: (member: Member) => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    if (predicate(this)) return;
    await new Promise<void>((resolve, reject) => {
      const waiter = {
        check: (): void => {
          if (predicate(this)) {
            this.waiters.delete(waiter);
            clearTimeout(timer);
            resolve();
          }
        },
        fail: (error: Error): void => {
          this.waiters.delete(waiter);
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        waiter.fail(new Error(`${this.seat} in ${this.roomId}: timed out waiting for ${what}; last state rev ${this.state?.rev} phase ${this.state?.phase}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  async connected(timeoutMs?: number): Promise<void> {
    await this.waitFor((m) => m.socket.connected && m.state !== null, 'a connection with its state', timeoutMs);
  }

  /** Emits one raw payload with an ack and waits for it (no retry): for the fuzzer. */
  async emitRaw(payload: unknown, timeoutMs = 5_000): Promise<unknown> {
    const socket = this.socket as unknown as Socket;
    return socket.timeout(timeoutMs).emitWithAck('command', payload);
  }

  /**
   * Sends a command and waits for its ack, re-sending it with the same id after a
   * lost connection or a lost ack. Every answer is logged.
   */
  async send(command: CommandInput, id = commandId()): Promise<CommandAck> {
    const payload = { ...command, id };
    const giveUpAt = Date.now() + (this.options.giveUpMs ?? 60_000);
    let attempts = 0;
    for (;;) {
      if (this.closed) throw new Error(`${this.seat} in ${this.roomId}: closed`);
      if (Date.now() > giveUpAt) throw new Error(`${this.seat} in ${this.roomId}: no ack for ${command.type} after ${attempts} attempts`);
      await this.waitFor((m) => m.socket.connected, 'a connection', Math.max(1, giveUpAt - Date.now()));
      attempts += 1;
      const ack = await this.attempt(payload);
      if (ack === null) {
        this.retries += 1;
        continue;
      }
      this.acks.push({ roomId: this.roomId, seat: this.seat, id, command, ack, attempts, order: (ackOrder += 1) });
      return ack;
    }
  }

  private attempt(payload: unknown): Promise<CommandAck | null> {
    return new Promise((resolve) => {
      const socket = this.socket;
      const onDisconnect = (): void => finish(null);
      const finish = (ack: CommandAck | null): void => {
        socket.off('disconnect', onDisconnect);
        resolve(ack);
      };
      socket.once('disconnect', onDisconnect);
      socket
        .timeout(this.options.ackTimeoutMs ?? 3_000)
        .emit('command', payload as Parameters<ClientToServerEvents['command']>[0], (error: Error | null, ack: CommandAck) => {
          finish(error === null ? ack : null);
        });
    });
  }

  /** Drops the connection from the client side, as a phone losing its network does. */
  drop(): void {
    this.socket.io.engine?.close();
  }

  /** Disconnects for good; whatever still waits on this member fails at once. */
  close(): void {
    this.closed = true;
    this.socket.disconnect();
    for (const waiter of [...this.waiters]) waiter.fail(new Error(`${this.seat} in ${this.roomId}: closed`));
  }
}

/** Opens a socket that may be refused: resolves with the state or the refusal's message. */
export async function handshake(
  base: string,
  auth: unknown,
  options: { extraHeaders?: Record<string, string>; timeoutMs?: number } = {},
): Promise<{ ok: true; state: StateView } | { ok: false; message: string }> {
  const socket: ClientSocket = io(base, {
    auth: auth as Record<string, unknown>,
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    extraHeaders: options.extraHeaders,
    timeout: options.timeoutMs ?? 5_000,
  });
  try {
    return await new Promise((resolve) => {
      socket.once('state', (state) => resolve({ ok: true, state }));
      socket.once('connect_error', (error) => resolve({ ok: false, message: error.message }));
      // A handshake Socket.IO itself finds malformed (an `auth` that is not an object) is closed.
      socket.once('disconnect', (reason) => resolve({ ok: false, message: `disconnected: ${reason}` }));
    });
  } finally {
    socket.disconnect();
  }
}
