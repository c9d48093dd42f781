/**
 * The floor of the bench (`npm run bench -- --durable`): the bare relay plus only what the contract
 * asks of every command before anyone hears of it, and nothing of Duologue's own. Per event:
 *
 * 1. one durable SQLite commit, with the store's own settings (WAL, `synchronous = FULL`):
 *    the room's row rewritten with the event and its version raised, and the event's id
 *    remembered per seat (PROTOCOL.md section 6: the ack only once the change is stored;
 *    section 4: accepted ids kept for a room's life). Events that arrive together share one
 *    commit, as in Duologue's store;
 * 2. a copy to every member of the room, the sender too (section 3: a `state` to every member
 *    after every change);
 * 3. the ack.
 *
 * No rules, no validation, no views: the copy is the event itself, far smaller than a state.
 * So any server that keeps the contract on this machine costs at least this much, and the
 * relay's ratio to it shows how far under that floor a goal may lie.
 *
 *   PORT=4000 DUOLOGUE_DURABLE_DB=/tmp/durable.sqlite node --import tsx bench/durable-relay.ts
 */
import Database from 'better-sqlite3';
import { openFloorStore } from './floor-store';
import { startRelayServer, type Ack } from './relay-server';

const file = process.env.DUOLOGUE_DURABLE_DB;
if (file === undefined || file === '') throw new Error('DUOLOGUE_DURABLE_DB names the database file');

const db = new Database(file);
const floor = openFloorStore(db);

/** An event waiting for its commit, with what to do once it is stored. */
interface Waiting {
  roomId: string;
  seat: string;
  id: string;
  event: string;
  payload: unknown[];
  ack: Ack;
}

/**
 * The events that arrived since the last commit, stored as one transaction with one fsync
 * (BEGIN IMMEDIATE … COMMIT), as Duologue's store groups its commits: an event that comes
 * alone is committed alone, and a burst shares the fsync.
 */
const storeGroup = db.transaction((group: Waiting[]): number[] =>
  group.map((event) => floor.record(event.roomId, event.seat, event.id, JSON.stringify(event.payload))),
);
let waiting: Waiting[] = [];

function flush(): void {
  const group = waiting;
  waiting = [];
  let revs: number[];
  try {
    revs = storeGroup.immediate(group);
  } catch (error) {
    // The bench lists whatever a server writes among its problems.
    console.error(`durable relay: the commit failed: ${String(error)}`);
    for (const event of group) event.ack?.({ ok: false, error: { code: 'internal' } });
    return;
  }
  group.forEach((event, i) => {
    io.to(event.roomId).emit(event.event, ...event.payload);
    event.ack?.({ ok: true, rev: revs[i] });
  });
}

const io = startRelayServer({
  accepts: (auth) => typeof auth.seatKey === 'string',
  onEvent({ roomId, auth, event, payload, ack }) {
    const first = payload[0];
    const id = typeof first === 'object' && first !== null && typeof (first as { id?: unknown }).id === 'string' ? (first as { id: string }).id : null;
    if (id === null) {
      ack?.({ ok: false, error: { code: 'invalid' } });
      return;
    }
    if (waiting.length === 0) setImmediate(flush);
    waiting.push({ roomId, seat: auth.seatKey as string, id, event, payload, ack });
  },
  onStop: () => db.close(),
});
