import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import type { Command, CommandAck } from '../../protocol';
import { viewFor } from '../../protocol';
import { inDialogue, ok, T0 } from '../protocol/helpers';
import en from '../../client/src/i18n/en';

/** A stand-in for the tab's one socket: it keeps every command the phone emits, with its ack. */
const fake = vi.hoisted(() => {
  const sent: { command: unknown; ack: (answer: unknown) => void }[] = [];
  return {
    sent,
    socket: {
      connected: true,
      emit(event: string, command: unknown, ack: (answer: unknown) => void) {
        if (event === 'command') sent.push({ command, ack });
      },
    },
  };
});
vi.mock('../../client/src/lib/socket', () => ({ socket: fake.socket, openRoomSocket: () => true, closeRoomSocket: () => undefined }));

const { useRoomStore } = await import('../../client/src/stores/room');
const { useConnectionStore } = await import('../../client/src/stores/connection');

describe('a tap made on a screen that has since changed', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    fake.sent.length = 0;
  });

  it('carries the rev of the screen it was made on', async () => {
    const room = useRoomStore();
    const shown = viewFor(inDialogue(), 'A', T0);
    room.receive(shown);
    const answered = room.send({ type: 'advance', step: 'share' });
    expect(fake.sent).toHaveLength(1);
    const command = fake.sent[0]!.command as Command;
    expect(command).toMatchObject({ type: 'advance', step: 'share', rev: shown.rev });
    fake.sent[0]!.ack({ ok: true, rev: shown.rev + 1 } satisfies CommandAck);
    expect(await answered).toBe(true);
    expect(room.notice).toBeNull();
  });

  it('is answered stale, and the phone says the screen changed and nothing was done', async () => {
    const room = useRoomStore();
    const before = inDialogue();
    room.receive(viewFor(before, 'A', T0));
    const tapped = room.send({ type: 'wrapUp' });
    const sentRev = (fake.sent[0]!.command as Command).rev;
    // Meanwhile the speaker moved on: the fresh screen arrives, then the answer to the old tap.
    const moved = ok(before, 'A', { type: 'advance', step: 'share' }, T0 + 1000).room;
    room.receive(viewFor(moved, 'A', T0 + 1000));
    expect(room.view?.rev).toBeGreaterThan(sentRev ?? Infinity);
    fake.sent[0]!.ack({ ok: false, error: { code: 'stale', message: 'The conversation moved on before this arrived.' } } satisfies CommandAck);
    expect(await tapped).toBe(false);
    expect(room.notice).toBe(en.errors.stale);
    expect(room.view?.floor?.step).toBe('mirror');
  });
});

describe('a break or a repair phrase', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    fake.sent.length = 0;
  });

  it('goes out without a rev, so a screen that just changed never holds it back', () => {
    const room = useRoomStore();
    room.receive(viewFor(inDialogue(), 'B', T0));
    void room.send({ type: 'flood' });
    void room.send({ type: 'repair', phrase: 'calm.need-break' });
    expect(fake.sent.map((s) => (s.command as Command).rev)).toEqual([undefined, undefined]);
  });
});

describe('a tap still unanswered on a slow line', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    fake.sent.length = 0;
  });

  it('holds the next step, but never the break: one break request at a time goes out beside it', async () => {
    const room = useRoomStore();
    const connection = useConnectionStore();
    connection.connected();
    room.receive(viewFor(inDialogue(), 'A', T0));
    connection.stateArrived();
    expect(room.can('advance')).toBe(true);
    const stepping = room.send({ type: 'advance', step: 'share' });
    // The step's answer has not come: the next step waits, the break and a phrase do not.
    expect(room.can('advance')).toBe(false);
    expect(room.can('wrapUp')).toBe(false);
    expect(room.can('flood')).toBe(true);
    expect(room.can('repair')).toBe(true);
    const flooding = room.send({ type: 'flood' });
    expect(fake.sent.map((s) => (s.command as Command).type)).toEqual(['advance', 'flood']);
    // One break request at a time.
    expect(room.can('flood')).toBe(false);
    fake.sent[0]!.ack({ ok: true, rev: 2 } satisfies CommandAck);
    fake.sent[1]!.ack({ ok: true, rev: 3 } satisfies CommandAck);
    expect(await stepping).toBe(true);
    expect(await flooding).toBe(true);
    expect(room.sending).toBe(0);
  });
});
