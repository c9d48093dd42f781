import type { Redis } from 'ioredis';
import { Room, SeatId } from '../../protocol';
import type { Commit, CommitResult, InviteRecord, RoomStore, SeatSecret, StoredRoom } from './room-store';

/** Every key Duologue writes starts with this, so one Redis can be shared with other programs. */
export const KEY_PREFIX = 'duologue:';

/**
 * The keys of one room. Each starts with `duologue:room:<id>`, and `deleteRoom` removes all
 * of them in one script (the deadline and idle indexes are sorted sets shared by all rooms).
 */
export function roomKeys(roomId: string): Record<'room' | 'keys' | 'invites' | 'accepted' | 'presence', string> {
  const base = `${KEY_PREFIX}room:${roomId}`;
  return {
    room: base,
    keys: `${base}:keys`,
    invites: `${base}:invites`,
    accepted: `${base}:accepted`,
    presence: `${base}:presence`,
  };
}

/** Rooms with a pending time-driven change, scored by its epoch ms. */
export const DEADLINES_KEY = `${KEY_PREFIX}deadlines`;
/** Every room, scored by its last change (epoch ms), for the expiry sweep. */
export const IDLE_KEY = `${KEY_PREFIX}idle`;
/**
 * The Socket.IO adapter's stream (server/scale/redis-scale.ts): it carries every state view
 * between processes for a while (for connection state recovery), so a deletion takes the
 * room's entries out of it too.
 */
export const STREAM_KEY = `${KEY_PREFIX}socket.io`;
/** The rate limiters' keys of a seat's commands (rate-limiter-flexible), removed with the room. */
export function commandLimitKey(roomId: string, seat: SeatId): string {
  return `${KEY_PREFIX}rl:command:${roomId}:${seat}`;
}

// KEYS: room, keys, invites, deadlines, idle. ARGV: roomId, room JSON, updatedAt, deadline ('' none),
// then pairs of seat and key hash, a '|' and pairs of seat and invite hash.
const INSERT = `
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.error_reply('ERR room exists') end
redis.call('HSET', KEYS[1], 'data', ARGV[2], 'version', 1)
redis.call('ZADD', KEYS[5], ARGV[3], ARGV[1])
if ARGV[4] ~= '' then redis.call('ZADD', KEYS[4], ARGV[4], ARGV[1]) end
local target = KEYS[2]
local i = 5
while i <= #ARGV do
  if ARGV[i] == '|' then
    target = KEYS[3]
    i = i + 1
  else
    redis.call('HSET', target, ARGV[i], ARGV[i + 1])
    i = i + 2
  end
end
return 1
`;

// The compare-and-set. Every check comes before the first write: a Lua script is atomic but
// is not rolled back, so it must not stop half way.
// KEYS: room, keys, invites, accepted, deadlines, idle.
// ARGV: roomId, expected version, room JSON ('' = only side records), updatedAt, deadline ('' = none),
//       accepted field ('' = none), accepted rev, claimed seat ('' = none), claimed key hash.
const COMMIT = `
if ARGV[6] ~= '' then
  local earlier = redis.call('HGET', KEYS[4], ARGV[6])
  if earlier then return 'replayed:' .. earlier end
end
local version = redis.call('HGET', KEYS[1], 'version')
if not version or tonumber(version) ~= tonumber(ARGV[2]) then return 'conflict' end
if ARGV[8] ~= '' then
  if redis.call('HEXISTS', KEYS[3], ARGV[8]) == 0 or redis.call('HEXISTS', KEYS[3], 'used:' .. ARGV[8]) == 1 then
    return 'conflict'
  end
end
if ARGV[3] ~= '' then
  redis.call('HSET', KEYS[1], 'data', ARGV[3], 'version', tonumber(version) + 1)
  redis.call('ZADD', KEYS[6], ARGV[4], ARGV[1])
  if ARGV[5] == '' then redis.call('ZREM', KEYS[5], ARGV[1]) else redis.call('ZADD', KEYS[5], ARGV[5], ARGV[1]) end
end
if ARGV[8] ~= '' then
  redis.call('HSET', KEYS[3], 'used:' .. ARGV[8], '1')
  redis.call('HSET', KEYS[2], ARGV[8], ARGV[9])
end
if ARGV[6] ~= '' then redis.call('HSET', KEYS[4], ARGV[6], ARGV[7]) end
return 'committed'
`;

// KEYS: the room's own keys, then deadlines, idle. ARGV: roomId. Answers whether the room was
// there. Its views in the adapter's stream go with SCRUB, right after.
const DELETE = `
local existed = redis.call('EXISTS', KEYS[1])
local n = #KEYS
for i = 1, n - 2 do redis.call('UNLINK', KEYS[i]) end
redis.call('ZREM', KEYS[n - 1], ARGV[1])
redis.call('ZREM', KEYS[n], ARGV[1])
return existed
`;

// KEYS: the adapter's stream. ARGV: room ids. Deletes the stream's entries that name one of the
// rooms (their views, sent to `<roomId>:<seat>`), in one scan; the stream is capped, so the scan
// is bounded. Run at a deletion, and again after it.
const SCRUB = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local removed = 0
for _, entry in ipairs(redis.call('XRANGE', KEYS[1], '-', '+')) do
  local fields = entry[2]
  local named = false
  for j = 2, #fields, 2 do
    for _, roomId in ipairs(ARGV) do
      if string.find(fields[j], roomId, 1, true) then
        named = true
        break
      end
    end
    if named then break end
  end
  if named then removed = removed + redis.call('XDEL', KEYS[1], entry[1]) end
end
return removed
`;

/**
 * When the stream is scrubbed again after a deletion, in ms. A command another process committed
 * just before the deletion sends its views (the moderator's with the notes) through the stream
 * just after it: milliseconds later, more under a stalled event loop. No commit can follow the
 * deletion (the room's version is gone), so these late views are the last that can come.
 */
export const SCRUB_AGAIN_MS = [1_000, 10_000] as const;

/** The scripts as commands of the client (ioredis `defineCommand`: EVALSHA, EVAL when Redis lacks it). */
interface Scripts {
  duologueInsert(...args: Array<string | Buffer | number>): Promise<number>;
  duologueCommit(...args: Array<string | Buffer | number>): Promise<string>;
  duologueDelete(...args: Array<string | number>): Promise<number>;
  duologueScrub(stream: string, ...roomIds: string[]): Promise<number>;
}

/**
 * The Redis store (ioredis): a room is a hash (`data` as JSON, `version`); its seat keys,
 * invites and accepted command ids are hashes beside it; deadlines and last changes are
 * sorted sets over all rooms. Every write is one Lua script, so a commit's version check,
 * its room, its command id, its spent invite and its indexes land together or not at all.
 * Durability is Redis's own: with `appendonly yes` and `appendfsync always` a script's
 * writes are in the AOF, fsynced, before the reply (docs/deploy.md).
 *
 * The client is the caller's: `close` leaves it open.
 */
export function openRedisStore(redis: Redis): RoomStore {
  redis.defineCommand('duologueInsert', { numberOfKeys: 5, lua: INSERT });
  redis.defineCommand('duologueCommit', { numberOfKeys: 6, lua: COMMIT });
  redis.defineCommand('duologueDelete', { lua: DELETE });
  redis.defineCommand('duologueScrub', { numberOfKeys: 1, lua: SCRUB });
  const scripts = redis as unknown as Scripts;
  /**
   * The rooms waiting for each later scrub. Deletions that come together (the hourly sweep's)
   * share one scan of the stream per delay: one timer per delay, armed by the first room.
   */
  const waiting = SCRUB_AGAIN_MS.map(() => ({ rooms: new Set<string>(), timer: undefined as ReturnType<typeof setTimeout> | undefined }));
  /** Scrubs the stream of these rooms; a failure (Redis away) leaves the stream's cap to age the entries out. */
  const scrub = (roomIds: string[]): Promise<unknown> =>
    roomIds.length === 0 ? Promise.resolve() : scripts.duologueScrub(STREAM_KEY, ...roomIds).catch(() => undefined);
  const scrubLater = (roomId: string): void => {
    SCRUB_AGAIN_MS.forEach((delay, i) => {
      const slot = waiting[i]!;
      slot.rooms.add(roomId);
      if (slot.timer !== undefined) return;
      slot.timer = setTimeout(() => {
        const rooms = [...slot.rooms];
        slot.rooms.clear();
        slot.timer = undefined;
        void scrub(rooms);
      }, delay);
      slot.timer.unref();
    });
  };
  const seat = (value: string): SeatId => SeatId.parse(value);
  const acceptedField = (seatId: SeatId, commandId: string): string => `${seatId}:${commandId}`;

  return {
    async insertRoom(record) {
      const { room } = record;
      const k = roomKeys(room.id);
      const args: Array<string | Buffer | number> = [room.id, JSON.stringify(room), room.updatedAt, record.deadline ?? ''];
      for (const key of record.seatKeys) args.push(key.seat, key.hash);
      args.push('|');
      for (const invite of record.invites) args.push(invite.seat, invite.hash);
      await scripts.duologueInsert(k.room, k.keys, k.invites, DEADLINES_KEY, IDLE_KEY, ...args);
    },
    async loadRoom(roomId): Promise<StoredRoom | null> {
      const [data, version] = await redis.hmget(roomKeys(roomId).room, 'data', 'version');
      if (data == null || version == null) return null;
      return { room: Room.parse(JSON.parse(data)), version: Number(version) };
    },
    async version(roomId) {
      const version = await redis.hget(roomKeys(roomId).room, 'version');
      return version === null ? null : Number(version);
    },
    async seatKeys(roomId): Promise<SeatSecret[]> {
      const all = await redis.hgetallBuffer(roomKeys(roomId).keys);
      return Object.entries(all).map(([seatId, hash]) => ({ seat: seat(seatId), hash }));
    },
    async invites(roomId): Promise<InviteRecord[]> {
      const all = await redis.hgetallBuffer(roomKeys(roomId).invites);
      return Object.entries(all)
        .filter(([field]) => !field.startsWith('used:'))
        .map(([seatId, hash]) => ({ seat: seat(seatId), hash, used: all[`used:${seatId}`] !== undefined }));
    },
    async acceptedCommand(roomId, seatId, commandId) {
      const rev = await redis.hget(roomKeys(roomId).accepted, acceptedField(seatId, commandId));
      return rev === null ? null : Number(rev);
    },
    async commit(change: Commit): Promise<CommitResult> {
      const k = roomKeys(change.roomId);
      const accepted = change.acceptedCommand;
      const result = await scripts.duologueCommit(
        k.room,
        k.keys,
        k.invites,
        k.accepted,
        DEADLINES_KEY,
        IDLE_KEY,
        change.roomId,
        change.expectedVersion,
        change.room === null ? '' : JSON.stringify(change.room),
        change.room?.updatedAt ?? '',
        change.deadline ?? '',
        accepted === undefined ? '' : acceptedField(accepted.seat, accepted.commandId),
        accepted?.rev ?? '',
        change.claim?.seat ?? '',
        change.claim?.keyHash ?? '',
      );
      if (result === 'committed') return 'committed';
      return result.startsWith('replayed:') ? { replayed: Number(result.slice('replayed:'.length)) } : 'conflict';
    },
    async deleteRoom(roomId) {
      const k = roomKeys(roomId);
      const limits = SeatId.options.map((s) => commandLimitKey(roomId, s));
      const keys = [k.room, k.keys, k.invites, k.accepted, k.presence, ...limits, DEADLINES_KEY, IDLE_KEY];
      const existed = (await scripts.duologueDelete(keys.length, ...keys, roomId)) === 1;
      // Its views too, now (a failure fails the deletion, as when one script did both), and again later.
      await scripts.duologueScrub(STREAM_KEY, roomId);
      if (existed) scrubLater(roomId);
      return existed;
    },
    async deadlines() {
      const flat = await redis.zrange(DEADLINES_KEY, '0', '-1', 'WITHSCORES');
      const out: Array<{ roomId: string; deadline: number }> = [];
      for (let i = 0; i + 1 < flat.length; i += 2) out.push({ roomId: flat[i]!, deadline: Number(flat[i + 1]) });
      return out;
    },
    async idleSince(cutoff) {
      return redis.zrangebyscore(IDLE_KEY, '-inf', `(${cutoff}`);
    },
    async close() {
      // The client belongs to whoever opened it (server/scale/redis-scale.ts), and closes after
      // this: the scrubs still due run now, once each.
      const due = new Set<string>();
      for (const slot of waiting) {
        clearTimeout(slot.timer);
        slot.timer = undefined;
        for (const roomId of slot.rooms) due.add(roomId);
        slot.rooms.clear();
      }
      await scrub([...due]);
    },
  };
}
