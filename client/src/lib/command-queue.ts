import type { Command, CommandAck, CommandInput } from '@protocol/schemas';
import { newCommandId } from './command-id';
import { socket } from './socket';

interface Pending {
  command: Command;
  resolve: (ack: CommandAck) => void;
}

/** Commands sent but not yet answered, by id. */
const pending = new Map<string, Pending>();

function transmit(command: Command): void {
  socket.emit('command', command, (ack) => {
    const waiting = pending.get(command.id);
    if (waiting === undefined) return; // answered already, through an earlier send
    pending.delete(command.id);
    waiting.resolve(ack);
  });
}

/**
 * Sends a command with a fresh id and resolves with the server's answer. While the
 * connection is down the command waits; it goes out (again) once the socket is back.
 * `rev` is the revision of the screen the tap was made on: if the talk moved since, the
 * server answers `stale` and changes nothing (a resend keeps the same `rev`).
 */
export function sendCommand(input: CommandInput, rev?: number): Promise<CommandAck> {
  const command = (rev === undefined ? { ...input, id: newCommandId() } : { ...input, id: newCommandId(), rev }) as Command;
  return new Promise((resolve) => {
    pending.set(command.id, { command, resolve });
    // A disconnected socket would buffer the emit and send it again itself; we resend instead.
    if (socket.connected) transmit(command);
  });
}

/**
 * Sends every unanswered command again with its first id, after a reconnection. The server
 * remembers accepted ids, so a command that did land is not applied twice.
 */
export function resendPending(): void {
  for (const { command } of pending.values()) transmit(command);
}

/** Drops unanswered commands when the room is left on purpose. */
export function dropPending(): void {
  pending.clear();
}
