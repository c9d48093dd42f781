import { beforeAll, describe, expect, it, vi } from 'vitest';
import { claimSeat, viewFor, type Room, type StateView } from '../../protocol';
import { MIN, T0, newRoom, ok, seated } from '../protocol/helpers';
import en from '../../client/src/i18n/console-en';
import { renderScreen, textOf } from './render';

// The console's one stored room, and its link: the test plays the server's `state` events.
const ROOM_ID = 'room-0123456789abcdefghij';
let sendState: ((view: StateView) => void) | null = null;
vi.mock('../../client/src/lib/socket', () => ({ socket: { on: () => undefined, io: { on: () => undefined } }, openRoomSocket: () => false, closeRoomSocket: () => undefined }));
/** What this browser keeps of the room (the seat record), as the console stored it. */
const kept: { unsafeSeen?: Array<'A' | 'B'> } = {};
vi.mock('../../client/src/lib/seat-keys', () => ({
  listSeats: () => [{ roomId: ROOM_ID, record: { seat: 'moderator', seatKey: 'k'.repeat(22), invites: {}, createdAt: 1, ...kept } }],
  forgetSeat: () => undefined,
  saveSeat: () => undefined,
  markUnsafeSeen: (_roomId: string, partner: 'A' | 'B') => {
    kept.unsafeSeen = [...new Set([...(kept.unsafeSeen ?? []), partner])];
  },
}));
vi.mock('../../client/src/lib/moderator-link', () => ({
  openRoomLink: (_auth: unknown, on: { state: (view: StateView) => void }) => {
    sendState = on.state;
    return { send: () => Promise.resolve({ ok: true, rev: 0 }), close: () => undefined };
  },
}));

const { useConsoleStore } = await import('../../client/src/stores/console');
const { default: PartnerCard } = await import('../../client/src/components/console/PartnerCard.vue');
const { default: CoachPanel } = await import('../../client/src/components/console/CoachPanel.vue');

/** A therapist's room in which Ben first answers "not safe", then changes the answer. */
function benChangesHisAnswer(): { unsafe: Room; changed: Room } {
  let room = seated({ as: 'moderator' });
  room = ok(room, 'A', { type: 'checkIn', calm: 6, tendency: 'pursue', safe: true }, T0).room;
  const unsafe = ok(room, 'B', { type: 'checkIn', calm: 3, tendency: 'withdraw', safe: false }, T0 + MIN).room;
  const changed = ok(unsafe, 'B', { type: 'checkIn', calm: 4, tendency: 'withdraw', safe: true }, T0 + 2 * MIN).room;
  return { unsafe, changed };
}

/** Ben's card on the console after the views in `rooms` arrived in turn. */
async function bensCard(...rooms: Room[]): Promise<{ text: string; changed: boolean }> {
  let changed = false;
  const html = await renderScreen(PartnerCard, {
    props: { roomId: ROOM_ID, seat: 'B' },
    prepare: () => {
      const store = useConsoleStore();
      store.start();
      for (const room of rooms) sendState!(viewFor(room, 'moderator', T0 + 3 * MIN));
      changed = store.changedFromUnsafe(ROOM_ID, 'B');
    },
  });
  return { text: textOf(html), changed };
}

describe('a "not safe" answer changed on a partner\'s phone', () => {
  const { unsafe, changed } = benChangesHisAnswer();
  const earlier = en.partner.wasUnsafe.replaceAll('{name}', 'Ben');

  it('stays known to the console after the partner changes it', async () => {
    const card = await bensCard(unsafe, changed);
    expect(card.changed).toBe(true);
    expect(card.text).toContain(earlier);
    expect(card.text).toContain(en.partner.safe);
    expect(card.text).not.toContain(en.partner.unsafe);
  });

  it('is still known after the console reloads, when only the changed answer arrives', async () => {
    delete kept.unsafeSeen;
    await bensCard(unsafe);
    expect(kept.unsafeSeen).toEqual(['B']);
    // A new page: the store starts from what this browser kept, and the room says only "safe" now.
    const card = await bensCard(changed);
    expect(card.changed).toBe(true);
    expect(card.text).toContain(earlier);
  });

  it('is flagged as it is while it stands, and not said of a partner who never gave it', async () => {
    delete kept.unsafeSeen;
    const standing = await bensCard(unsafe);
    expect(standing.text).toContain(en.partner.unsafe);
    expect(standing.text).not.toContain(earlier);
    // Another browser, which never saw the "no": nothing is said of it.
    delete kept.unsafeSeen;
    const never = await bensCard(changed);
    expect(never.changed).toBe(false);
    expect(never.text).not.toContain(earlier);
  });
});

describe('the coach panel, before a partner has joined', () => {
  // The seats' words ("First partner") come from the app's own i18n, as the console's route loads them.
  beforeAll(async () => {
    const { loadConsoleMessages } = await import('../../client/src/i18n/console');
    await loadConsoleMessages();
  });

  /** The panel as it first shows (a line to both), once the room's view arrived. */
  async function coachPanel(room: Room, locale: 'en' | 'de' = 'en'): Promise<string> {
    const html = await renderScreen(CoachPanel, {
      locale,
      props: { roomId: ROOM_ID },
      prepare: () => {
        useConsoleStore().start();
        sendState!(viewFor(room, 'moderator', T0 + MIN));
      },
    });
    return textOf(html);
  }

  it('says that a line to someone not joined yet waits for them, and names who', async () => {
    const annOnly = claimSeat(newRoom({ as: 'moderator' }), 'A', 'Ann', T0).room;
    expect(await coachPanel(annOnly)).toContain(en.coach.waits.replace('{who}', en.seat.B));
    const nobody = newRoom({ as: 'moderator' });
    expect(await coachPanel(nobody)).toContain(en.coach.waits.replace('{who}', `${en.seat.A} & ${en.seat.B}`));
    expect(await coachPanel(nobody, 'de')).toContain('Noch nicht dabei: ');
  });

  it('says nothing of the kind once both have joined', async () => {
    const text = await coachPanel(seated({ as: 'moderator' }));
    expect(text).toContain(en.coach.send);
    expect(text).not.toContain(en.coach.waits.split(':')[0]!);
  });
});
