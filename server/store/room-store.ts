import type { Room, SeatId } from '../../protocol';

/** A room as read from the store, with the storage version that guards a write (compare-and-set). */
export interface StoredRoom {
  room: Room;
  version: number;
}

/** A secret's hash, kept per seat. */
export interface SeatSecret {
  seat: SeatId;
  hash: Buffer;
}

export interface InviteRecord extends SeatSecret {
  used: boolean;
}

/** A new room with its creator's key and its invites. */
export interface NewRoomRecord {
  room: Room;
  deadline: number | null;
  seatKeys: SeatSecret[];
  invites: SeatSecret[];
}

/**
 * One atomic write. It succeeds only while the room's version is still
 * `expectedVersion`, so two writers (two processes, later) never both win. A committed
 * write with a `room` raises the version by exactly one; one without leaves it.
 */
export interface Commit {
  roomId: string;
  expectedVersion: number;
  /** The new room, or null when only `acceptedCommand` is recorded. */
  room: Room | null;
  /**
   * The room the change was decided on. A store may skip writing the parts of `room`
   * that are still the very same values as here (the machine replaces a list it changes).
   */
  before?: Room;
  deadline: number | null;
  /** The id of an accepted command, with the rev of its answer, for safe retries. */
  acceptedCommand?: { seat: SeatId; commandId: string; rev: number };
  /** A seat claimed with its invite: the invite is spent and the seat key stored, or nothing happens. */
  claim?: { seat: SeatId; keyHash: Buffer };
}

/**
 * `conflict`: the version moved on, or the invite was spent meanwhile; read again and decide again.
 * `replayed`: the commit's command id was accepted before, answered with this `rev`; nothing was
 * written. The store checks this before anything else, so a retried command is never applied twice.
 */
export type CommitResult = 'committed' | 'conflict' | { replayed: number };

/**
 * Where rooms live. Async throughout so that a networked store (Redis) can
 * implement it; the SQLite store answers synchronously underneath.
 */
export interface RoomStore {
  insertRoom(record: NewRoomRecord): Promise<void>;
  loadRoom(roomId: string): Promise<StoredRoom | null>;
  /**
   * The stored version alone, or null when there is no such room. A store shared by several
   * processes (Redis) has it, and a host then checks its copy of a room with this cheap read
   * before deciding on it; a store only this process writes (SQLite) leaves it out.
   */
  version?(roomId: string): Promise<number | null>;
  seatKeys(roomId: string): Promise<SeatSecret[]>;
  invites(roomId: string): Promise<InviteRecord[]>;
  /**
   * The rev first answered to an accepted command id, or null when the id is new. The host asks
   * only when the machine refused a command (a retry of an accepted one may be stale by now);
   * an accepted command learns it from its commit (`replayed`).
   */
  acceptedCommand(roomId: string, seat: SeatId, commandId: string): Promise<number | null>;
  commit(change: Commit): Promise<CommitResult>;
  /** Removes the room and every row that belongs to it; false when there was none. */
  deleteRoom(roomId: string): Promise<boolean>;
  /** Rooms with a pending time-driven change. */
  deadlines(): Promise<Array<{ roomId: string; deadline: number }>>;
  /** Rooms whose last change is older than `cutoff` (epoch ms). */
  idleSince(cutoff: number): Promise<string[]>;
  close(): Promise<void>;
}
