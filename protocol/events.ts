import type { CallAck, CallConfigAck, CallSignal } from './call';
import type { Command, CommandAck, SeatId, StateView, TimeAck } from './schemas';

/** The Socket.IO event maps (PROTOCOL.md section 3), shared by server and client. */
export interface ClientToServerEvents {
  /** The server still parses every payload: what arrives on the wire is untrusted. */
  command: (payload: Command, ack: (answer: CommandAck) => void) => void;
  time: (ack: (answer: TimeAck) => void) => void;
  /** A voice call's signal for the other partner (docs/protocol.md section 11). */
  'call:signal': (signal: CallSignal, ack: (answer: CallAck) => void) => void;
  /** The STUN and TURN servers a partner's phone uses for the call. */
  'call:config': (ack: (answer: CallConfigAck) => void) => void;
}

export interface ServerToClientEvents {
  state: (view: StateView) => void;
  deleted: () => void;
  /** The other partner's call signal, as they sent it. */
  'call:signal': (signal: CallSignal) => void;
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
