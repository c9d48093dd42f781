import { useConnectionStore } from '../stores/connection';
import { useRoomStore } from '../stores/room';
import { estimateOffset, type TimeSample } from './clock-offset';
import { resendPending } from './command-queue';
import { socket } from './socket';

const ROUND_TRIPS = 5;
const SERVER_CLOSE_RETRY_MS = 1000;
const REFUSALS = new Set(['unauthorized', 'room_not_found']);
let bound = false;

async function measureClock(setOffset: (ms: number) => void): Promise<void> {
  const samples: TimeSample[] = [];
  for (let i = 0; i < ROUND_TRIPS && socket.connected; i++) {
    const sentAt = Date.now();
    try {
      const answer = await socket.timeout(5000).emitWithAck('time');
      samples.push({ sentAt, receivedAt: Date.now(), serverNow: answer.now });
    } catch {
      break; // the connection went; the next one measures again
    }
  }
  const offset = estimateOffset(samples);
  if (offset !== null) setOffset(offset);
}

/** Binds the socket's events to the stores, once, from the root component. */
export function bindSocket(): void {
  if (bound) return;
  bound = true;
  const connection = useConnectionStore();
  const room = useRoomStore();

  socket.io.on('reconnect_attempt', () => connection.connecting());
  socket.on('connect', () => {
    connection.connected();
    resendPending();
    void measureClock(connection.setOffset);
  });
  socket.on('disconnect', (reason) => {
    if (reason === 'io client disconnect' || room.deleted) {
      connection.closed();
      return;
    }
    connection.lost();
    // A server that closes sockets on purpose (a restart) is not followed by Socket.IO's own
    // reconnection; the seat key still opens the seat, so come back as it would.
    if (reason === 'io server disconnect') setTimeout(() => socket.connect(), SERVER_CLOSE_RETRY_MS);
  });
  socket.on('connect_error', (error) => {
    if (REFUSALS.has(error.message)) connection.refused(error.message);
    else connection.lost();
  });
  socket.on('state', (view) => {
    room.receive(view);
    connection.stateArrived();
  });
  socket.on('deleted', () => {
    room.markDeleted();
  });
}
