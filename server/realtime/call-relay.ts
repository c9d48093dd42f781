import type { FastifyBaseLogger } from 'fastify';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import {
  isCallSignalKind,
  parseCallSignal,
  protocolError,
  type CallAck,
  type CallConfigAck,
  type CallSignal,
  type IceServer,
  type IceTransportPolicy,
  type SeatId,
} from '../../protocol';
import { dropRoomCounts, memoryLimiters, seatCountKey, type LimiterFactory } from '../rate-limits';
import { seatChannel } from './broadcaster';
import type { DuologueServer } from './socket-gateway';

export interface CallRelayDeps {
  io: DuologueServer;
  log: FastifyBaseLogger;
  /** Signals per seat per 10 seconds: a call's set-up sends a few dozen candidates at once. */
  signalLimit: number;
  /** The STUN and TURN servers handed to the partners' phones (none by default). */
  iceServers: readonly IceServer[];
  /** `relay`: only TURN paths (the phones never learn each other's address). */
  iceTransportPolicy: IceTransportPolicy;
  /** The level of the line per signal (as for commands). */
  logLevel?: 'info' | 'debug';
  /** Where the signal limit counts (default: this process's memory; with REDIS_URL, Redis). */
  limiters?: LimiterFactory;
  /**
   * How a signal reaches a seat's connections on every process (with REDIS_URL: Redis pub/sub,
   * so no signal lands in the adapter's stored stream); by default, this process's Socket.IO.
   */
  deliver?: (roomId: string, seat: SeatId, signal: CallSignal) => void;
}

const WRITTEN_AT = { info: new Set(['info', 'debug', 'trace']), debug: new Set(['debug', 'trace']) };

const MODERATOR_REFUSAL = 'A voice call is between the two partners; the moderator seat cannot join it.';

/**
 * The voice call's relay (docs/protocol.md section 11): a partner's signal goes to the other
 * partner's connections of the same room, through the per-seat Socket.IO rooms, and nowhere
 * else. Nothing is stored; the log keeps the signal's kind and the outcome, never its content.
 */
export class CallRelay {
  private readonly limiter: RateLimiterAbstract;

  constructor(private readonly deps: CallRelayDeps) {
    this.limiter = (deps.limiters ?? memoryLimiters)({ name: 'signal', points: deps.signalLimit, duration: 10 });
  }

  /** One signal from a seat: rate limit, shape, seat, then the relay. */
  async signal(roomId: string, seat: SeatId, payload: unknown): Promise<CallAck> {
    const ack = await this.decide(roomId, seat, payload);
    const level = this.deps.logLevel ?? 'info';
    if (WRITTEN_AT[level].has(this.deps.log.level)) {
      const kind = typeof payload === 'object' && payload !== null ? (payload as { kind?: unknown }).kind : undefined;
      this.deps.log[level](
        { roomId, seat, kind: isCallSignalKind(kind) ? kind : 'unknown', result: ack.ok ? 'ok' : ack.error.code },
        'call signal',
      );
    }
    return ack;
  }

  /** The ICE servers for a partner's phone; the moderator is not part of a call. */
  async config(roomId: string, seat: SeatId): Promise<CallConfigAck> {
    const limited = await this.limited(roomId, seat);
    if (limited) return limited;
    if (seat === 'moderator') return { ok: false, error: protocolError('forbidden', MODERATOR_REFUSAL) };
    return { ok: true, iceServers: this.deps.iceServers.map((server) => ({ ...server })), iceTransportPolicy: this.deps.iceTransportPolicy };
  }

  private async decide(roomId: string, seat: SeatId, payload: unknown): Promise<CallAck> {
    const limited = await this.limited(roomId, seat);
    if (limited) return limited;
    const parsed = parseCallSignal(payload);
    if (!parsed.ok) return { ok: false, error: parsed.error };
    if (seat === 'moderator') return { ok: false, error: protocolError('forbidden', MODERATOR_REFUSAL) };
    const other = seat === 'A' ? 'B' : 'A';
    const deliver = this.deps.deliver ?? ((room: string, to: SeatId, signal: CallSignal) => this.deps.io.to(seatChannel(room, to)).emit('call:signal', signal));
    deliver(roomId, other, parsed.value);
    return { ok: true };
  }

  /** Drops a deleted room's signal counts. */
  async forget(roomId: string): Promise<void> {
    await dropRoomCounts(this.limiter, roomId);
  }

  private async limited(roomId: string, seat: SeatId): Promise<Extract<CallAck, { ok: false }> | null> {
    try {
      await this.limiter.consume(seatCountKey(roomId, seat));
      return null;
    } catch (error) {
      if (error instanceof RateLimiterRes) return { ok: false, error: protocolError('rate_limited') };
      // The count lives in Redis and Redis did not answer: nothing was relayed, the phone may retry.
      this.deps.log.error({ err: error, roomId, seat }, 'signal limit unavailable');
      return { ok: false, error: protocolError('internal') };
    }
  }
}
