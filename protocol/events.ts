import type { Command, CommandAck, SeatId, StateView, TimeAck } from './schemas';

/** The Socket.IO event maps (PROTOCOL.md section 3), shared by server and client. */
export interface ClientToServerEvents {
  /** The server still parses every payload: what arrives on the wire is untrusted. */
  command: (payload: Command, ack: (answer: CommandAck) => void) => void;
  time: (ack: (answer: TimeAck) => void) => void;
}

export interface ServerToClientEvents {
  state: (view: StateView) => void;
  deleted: () => void;
}

export type InterServerEvents = Record<string, never>;

export interface SocketData {
  roomId: string;
  seat: SeatId;
}

/** The handshake's `auth` object. */
export interface SocketAuth {
  roomId: string;
  seatKey: string;
}
