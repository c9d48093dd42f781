import type { FastifyBaseLogger } from 'fastify';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { applyCommand, isCommandType, parseCommand, protocolError, type CommandAck, type SeatId } from '../protocol';
import type { RoomWriter } from './room-writer';

export interface CommandServiceDeps {
  writer: RoomWriter;
  log: FastifyBaseLogger;
  /** Commands per seat per 10 seconds. */
  limit: number;
}

/** What the log keeps of a command: never its words. */
interface CommandLog {
  roomId: string;
  seat: SeatId;
  type: string;
  result: string;
  ms: number;
}

/**
 * Decides the commands that arrive on the socket, in the order of PROTOCOL.md
 * section 4: rate limit, shape, replayed id, then the machine (which checks `stale` first).
 */
export class CommandService {
  private readonly limiter: RateLimiterMemory;

  constructor(private readonly deps: CommandServiceDeps) {
    this.limiter = new RateLimiterMemory({ points: deps.limit, duration: 10 });
  }

  async run(roomId: string, seat: SeatId, payload: unknown): Promise<CommandAck> {
    const started = performance.now();
    const ack = await this.decide(roomId, seat, payload);
    const type = typeof payload === 'object' && payload !== null ? (payload as { type?: unknown }).type : undefined;
    const entry: CommandLog = {
      roomId,
      seat,
      // Only a known type is logged: anything else is input we must not echo.
      type: isCommandType(type) ? type : 'unknown',
      result: ack.ok ? 'ok' : ack.error.code,
      ms: Math.round((performance.now() - started) * 100) / 100,
    };
    this.deps.log.info(entry, 'command');
    return ack;
  }

  private async decide(roomId: string, seat: SeatId, payload: unknown): Promise<CommandAck> {
    try {
      await this.limiter.consume(`${roomId}:${seat}`);
    } catch (error) {
      if (error instanceof RateLimiterRes) return { ok: false, error: protocolError('rate_limited') };
      throw error;
    }
    const parsed = parseCommand(payload);
    if (!parsed.ok) return { ok: false, error: parsed.error };
    const command = parsed.value;
    try {
      return await this.deps.writer.write<CommandAck>(roomId, async (stored, now) => {
        if (stored === null) {
          return { reply: { ok: false, error: protocolError('room_not_found') } };
        }
        const replayed = await this.deps.writer.acceptedCommand(roomId, seat, command.id);
        if (replayed !== null) return { reply: { ok: true, rev: replayed } };
        const outcome = applyCommand(stored.room, command, seat, now);
        if (!outcome.ok) return { reply: { ok: false, error: outcome.error } };
        const rev = outcome.room.rev;
        return {
          reply: { ok: true, rev },
          write: {
            room: outcome.changed ? outcome.room : null,
            acceptedCommand: { seat, commandId: command.id, rev },
          },
        };
      });
    } catch (error) {
      this.deps.log.error({ err: error, roomId, seat }, 'command failed');
      return { ok: false, error: protocolError('internal') };
    }
  }
}
