import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { CreateRoomBody, describeIssue, InvitePreviewBody, JoinRoomBody, REPAIR_CATALOG } from '../../protocol';
import { addressKey, memoryLimiters, type LimiterFactory } from '../rate-limits';
import type { AuthGuard } from '../rooms/auth-guard';
import { fail, type Result, type RoomService } from '../rooms/room-service';
import { appointmentCalendar } from './appointment-calendar';
import { sendError, sendFailure } from './http-errors';
import { publicOriginFor, type PublicOriginOptions } from './public-origin';

export interface RoomRoutesOptions {
  rooms: RoomService;
  /** Failed seat keys and invites per client address. */
  guard: AuthGuard;
  /** Room creations and joins per client address per minute; 0 turns the limit off. */
  httpLimit: number;
  /** Where links point (DUOLOGUE_PUBLIC_URL, else the request's Host with the LAN address for localhost). */
  address: PublicOriginOptions;
  /** Where the limit counts (default: this process's memory). */
  limiters?: LimiterFactory;
  /** What the health check asks beyond the process answering (with REDIS_URL: that Redis answers). */
  healthy?: () => Promise<boolean>;
}

type RoomRequest = FastifyRequest<{ Params: { roomId: string } }>;

/** The JSON API of PROTOCOL.md section 2. */
export async function roomRoutes(app: FastifyInstance, options: RoomRoutesOptions): Promise<void> {
  const { rooms, guard } = options;
  const limited = rateLimit(options.httpLimit, options.limiters ?? memoryLimiters);
  const guarded = async <T>(request: FastifyRequest, reply: FastifyReply, attempt: () => Promise<Result<T>>): Promise<Result<T>> => {
    let seconds = 60;
    const result = await guard.attempt(request.ip, attempt, (wait) => {
      seconds = wait;
    });
    if (result !== 'rate_limited') return result;
    // Said as the creation limit says it: the wait, in the header and in the sentence.
    return fail('rate_limited', waitFor(reply, seconds, 'Too many failed attempts from this address.'));
  };
  const authenticate = (request: RoomRequest, reply: FastifyReply) =>
    guarded(request, reply, () => rooms.authenticate(request.params.roomId, bearer(request)));

  app.get('/api/health', async (_request, reply) => {
    if (options.healthy !== undefined && !(await options.healthy())) {
      // A proxy or a supervisor takes a process out that cannot reach the shared store.
      return sendError(reply, 503, 'internal', 'This server cannot reach its Redis; another one may.');
    }
    return { ok: true };
  });

  app.get('/api/repairs', async () => REPAIR_CATALOG);

  app.post('/api/rooms', { preHandler: limited }, async (request, reply) => {
    const body = CreateRoomBody.safeParse(request.body);
    if (!body.success) return sendError(reply, 400, 'invalid', describeIssue(body.error));
    return reply.code(201).send(await rooms.create(body.data));
  });

  app.post('/api/rooms/:roomId/join', { preHandler: limited }, async (request: RoomRequest, reply) => {
    const body = JoinRoomBody.safeParse(request.body);
    if (!body.success) return sendError(reply, 400, 'invalid', describeIssue(body.error));
    const result = await guarded(request, reply, () => rooms.join(request.params.roomId, body.data));
    if (!result.ok) return sendFailure(reply, result);
    return reply.code(200).send(result.value);
  });

  // Counted like a join (the same per-minute limit) and, when it fails, like a wrong key.
  app.post('/api/rooms/:roomId/invite', { preHandler: limited }, async (request: RoomRequest, reply) => {
    const body = InvitePreviewBody.safeParse(request.body);
    if (!body.success) return sendError(reply, 400, 'invalid', describeIssue(body.error));
    const result = await guarded(request, reply, () => rooms.previewInvite(request.params.roomId, body.data));
    if (!result.ok) return sendFailure(reply, result);
    return reply.header('cache-control', 'no-store').send(result.value);
  });

  app.get('/api/rooms/:roomId/summary', async (request: RoomRequest, reply) => {
    const auth = await authenticate(request, reply);
    if (!auth.ok) return sendFailure(reply, auth);
    return reply.header('cache-control', 'no-store').send(rooms.summary(auth.value.room));
  });

  app.get('/api/rooms/:roomId/appointment.ics', async (request: RoomRequest, reply) => {
    const auth = await authenticate(request, reply);
    if (!auth.ok) return sendFailure(reply, auth);
    const { appointment } = auth.value.room;
    if (appointment === null || !appointment.accepted) return sendError(reply, 404, 'no_appointment');
    return reply
      .header('cache-control', 'no-store')
      .header('content-disposition', 'attachment; filename="duologue.ics"')
      .type('text/calendar; charset=utf-8')
      .send(appointmentCalendar(auth.value.room.id, appointment.at, roomLink(request, options.address)));
  });

  app.delete('/api/rooms/:roomId', async (request: RoomRequest, reply) => {
    const auth = await authenticate(request, reply);
    if (!auth.ok) return sendFailure(reply, auth);
    // Gone already (a second device deleted it at the same moment): the outcome is the same.
    await rooms.remove(auth.value.room.id);
    return reply.code(204).send();
  });
}

/** The room's address (`/room/<roomId>`, no secret in it) on the origin the phones use, or null when unknown. */
function roomLink(request: RoomRequest, address: PublicOriginOptions): string | null {
  const found = publicOriginFor(request, address);
  return found === null ? null : `${found.origin}/room/${encodeURIComponent(request.params.roomId)}`;
}

/** The seat key of `Authorization: Bearer <seatKey>` (the scheme's case does not matter), or undefined. */
function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer ([A-Za-z0-9_-]+)$/i.exec(header.trim()) : null;
  return match?.[1];
}

/** A per-address refusal's wait: set as `Retry-After`, and said after `cause` in the message it returns. */
function waitFor(reply: FastifyReply, seconds: number, cause: string): string {
  reply.header('retry-after', String(seconds));
  return `${cause} Try again in ${seconds} ${seconds === 1 ? 'second' : 'seconds'}.`;
}

function rateLimit(perMinute: number, limiters: LimiterFactory): preHandlerAsyncHookHandler {
  if (perMinute === 0) return async () => {};
  const limiter = limiters({ name: 'http', points: perMinute, duration: 60 });
  return async (request, reply) => {
    try {
      await limiter.consume(addressKey(request.ip));
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      // The command limit's "a few seconds" would mislead here: this window is a minute long.
      const message = waitFor(reply, Math.ceil(error.msBeforeNext / 1000), 'Too many new talks or joins from this address.');
      return sendError(reply, 429, 'rate_limited', message);
    }
  };
}
