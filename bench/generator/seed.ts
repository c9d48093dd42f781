import { checkIn, createRoom, inPool, talkFor, type RoomKeys } from './setup';

export interface SeedPlan {
  url: string;
  rooms: number;
  notes: number;
  noteLength: number;
}

/** A note of exactly `length` characters: plain words, different in every note. */
export function noteText(index: number, length: number): string {
  const words = ['we', 'talked', 'about', 'the', 'evenings', 'and', 'who', 'waits', 'for', 'whom', 'after', 'work'];
  let text = `Note ${index}:`;
  for (let i = 0; text.length < length; i += 1) text += ` ${words[(index + i) % words.length]}`;
  return text.slice(0, length);
}

/**
 * Opens `rooms` rooms as a moderator, both partners join and check in, and the moderator's
 * socket sends `notes` notes of `noteLength` characters, each waiting for its ack.
 * Run against a server with a high command limit: 200 notes at the default 50 per 10 s take 40 s.
 */
export async function seedBusyRooms(plan: SeedPlan): Promise<RoomKeys[]> {
  const rooms = await inPool(Array.from({ length: plan.rooms }), 8, () => createRoom(plan.url, 'moderator'));
  await inPool(rooms, 8, async (room) => {
    const talk = talkFor('duologue', plan.url, room);
    try {
      await talk.connect();
      await checkIn(talk);
      const moderator = talk.sockets.moderator!;
      for (let n = 0; n < plan.notes; n += 1) {
        const ack = (await moderator
          .timeout(60_000)
          .emitWithAck('command', { id: `note-${n}-${room.roomId}`, type: 'note', text: noteText(n, plan.noteLength) })) as {
          ok: boolean;
          error?: { code: string };
        };
        if (!ack.ok) throw new Error(`note ${n} was refused: ${ack.error?.code ?? 'unknown'}`);
      }
    } finally {
      talk.close();
    }
  });
  return rooms;
}
