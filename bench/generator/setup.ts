import type { CreateRoomResponse, JoinRoomResponse, SeatId } from '../../protocol';
import type { Side } from '../servers';
import { openSocket, Talk } from './talk';

/** A room's id and the seat keys that open it. */
export interface RoomKeys {
  roomId: string;
  keys: Partial<Record<SeatId, string>>;
}

/** Runs `task` over `items` with at most `limit` at a time, keeping the order of the results. */
export async function inPool<T, U>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<U>): Promise<U[]> {
  const results = new Array<U>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await task(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

async function post<T>(url: string, body: unknown, expected: number): Promise<T> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).catch(
    (error: unknown) => {
      // undici's "fetch failed" hides the reason (a reset, a refused connection) in `cause`.
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
      throw new Error(`POST ${new URL(url).pathname} failed${cause}`);
    },
  );
  const text = await response.text();
  if (response.status !== expected) throw new Error(`POST ${new URL(url).pathname} answered ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/**
 * Creates a room over HTTP (as partner A, or as its moderator) and claims every invite,
 * as two phones (and a therapist) would.
 */
export async function createRoom(url: string, as: 'partner' | 'moderator'): Promise<RoomKeys> {
  const created = await post<CreateRoomResponse>(
    `${url}/api/rooms`,
    { name: as === 'moderator' ? 'Mo' : 'Ann', as, topic: 'The evenings', method: 'imago' },
    201,
  );
  const keys: Partial<Record<SeatId, string>> = { [created.seat]: created.seatKey };
  const names: Record<SeatId, string> = { A: 'Ann', B: 'Ben', moderator: 'Mo' };
  for (const [seat, invite] of Object.entries(created.invites) as Array<[SeatId, string]>) {
    const joined = await post<JoinRoomResponse>(`${url}/api/rooms/${created.roomId}/join`, { invite, name: names[seat] }, 200);
    keys[joined.seat] = joined.seatKey;
  }
  return { roomId: created.roomId, keys };
}

/**
 * A room's sockets, not yet connected. Duologue's handshake takes `{ roomId, seatKey }`;
 * the relay reads only `roomId`, and the same generator sends the same handshake to both.
 */
export function talkFor(side: Side, url: string | readonly string[], room: RoomKeys): Talk {
  // Several processes: A on the first, B on the second, the moderator on the third (round the list).
  const urls = typeof url === 'string' ? [url] : url;
  const at = (seat: SeatId): string => urls[(seat === 'A' ? 0 : seat === 'B' ? 1 : 2) % urls.length]!;
  const socket = (seat: SeatId) => openSocket(at(seat), { roomId: room.roomId, seatKey: room.keys[seat] ?? `relay-${seat}-seat-key-0000` });
  const sockets = { A: socket('A'), B: socket('B'), ...(room.keys.moderator === undefined ? {} : { moderator: socket('moderator') }) };
  return new Talk(side, room.roomId, sockets);
}

/** Both partners check in feeling safe; resolves once every socket of the room sees the dialogue. */
export async function checkIn(talk: Talk): Promise<void> {
  for (const seat of ['A', 'B'] as const) {
    const ack = await talk.sockets[seat]
      .timeout(60_000)
      .emitWithAck('command', { id: `checkin-${seat}-${talk.roomId}`, type: 'checkIn', calm: 5, tendency: 'unsure', safe: true });
    const answer = ack as { ok: boolean; error?: { code: string } };
    if (!answer.ok) throw new Error(`checkIn of ${seat} was refused: ${answer.error?.code ?? 'unknown'}`);
  }
  await talk.whenState((view) => view.phase === 'dialogue');
}
